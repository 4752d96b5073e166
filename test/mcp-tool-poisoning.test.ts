import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { modelToolName, qualifiedName } from '../src/mcp/tool-names.ts';
import type { ServerPins } from '../src/mcp/tool-pins.ts';
import { type ListedTool, vetTools } from '../src/mcp/tool-vetting.ts';

// Two outside catalogs decide the tool-poisoning rules. POISONED: the attacks published against MCP
// (tool poisoning, shadowing, schema poisoning, hidden and encoded text, rug pulls), each written
// from its source; every one must be withheld and asked about. HONEST: the tools/list answers of
// widely used servers, unchanged; none may be. README.md beside the fixtures names the sources.

interface PoisonedEntry {
  id: string;
  source: string;
  kind: string;
  tool: ListedTool;
}
interface RugPull {
  id: string;
  source: string;
  before: ListedTool;
  after: ListedTool;
  /** False for a change that reads as honest on its own (an enum widened): only the pins catch it. */
  newTextFlagged: boolean;
}
interface Catalog {
  server: string;
  tools: ListedTool[];
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as unknown;
const poisoned = fixture('mcp-poisoned-tools.json') as { tools: PoisonedEntry[]; rugPulls: RugPull[] };
const honest = (fixture('mcp-honest-tools.json') as { servers: Catalog[] }).servers;

/** Warden's own tools the model always has; the ones with `_` are names a description could reach for. */
const BUILTINS = ['read_file', 'write_file', 'edit_file', 'apply_patch', 'list_files', 'grep', 'shell'];

/** More catalogs of the same shape, for a wider run by hand: WARDEN_MCP_HONEST_EXTRA=dir1:dir2. */
function extraCatalogs(): Catalog[] {
  const dirs = (process.env.WARDEN_MCP_HONEST_EXTRA ?? '').split(':').filter((d) => d !== '');
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Catalog),
  );
}

/** Every catalog configured at once, as session-tools names them: the harshest honest setting. */
function vetTogether(catalogs: readonly Catalog[]): string[] {
  const named = catalogs.map((c) => ({
    ...c,
    server: c.server
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 31),
  }));
  const every = [
    ...BUILTINS.filter((name) => name.includes('_')),
    ...named.flatMap((c) =>
      c.tools.flatMap((t) => [
        qualifiedName(c.server, t.name),
        modelToolName(c.server, t.name),
        ...(/[_-]/.test(t.name) ? [t.name] : []),
      ]),
    ),
  ];
  return named.flatMap((c) => {
    const own = new Set(
      c.tools.flatMap((t) => [qualifiedName(c.server, t.name), modelToolName(c.server, t.name), t.name]),
    );
    const others = every.filter((name) => !own.has(name));
    return vetTools(c.server, c.tools, undefined, others).flatMap(({ tool, verdict }) =>
      verdict.status === 'ask'
        ? verdict.findings.map((f) => `${c.server}.${tool.name}: ${f.rule}: ${f.excerpt}`)
        : [],
    );
  });
}

test('the catalogs are what the README says: over a hundred attacks, over two hundred honest tools', () => {
  assert.ok(poisoned.tools.length >= 100, `${poisoned.tools.length} poisoned tools`);
  assert.ok(poisoned.rugPulls.length >= 5);
  assert.ok(new Set(poisoned.tools.map((e) => e.id)).size === poisoned.tools.length, 'ids are unique');
  const count = honest.reduce((n, c) => n + c.tools.length, 0);
  assert.ok(count >= 200, `${count} honest tools`);
});

test('every published poisoning is withheld and asked about, on its own text alone', () => {
  // No other server's tool names are given: the rules must see the attack, not a name it mentions.
  const missed = poisoned.tools.filter((entry) => {
    const [vetted] = vetTools('evil', [entry.tool], undefined, []);
    return vetted?.verdict.status !== 'ask' || vetted.verdict.findings.length === 0;
  });
  assert.deepEqual(
    missed.map((e) => `${e.id} (${e.kind}): ${(e.tool.description ?? '').slice(0, 100)}`),
    [],
    `recall ${poisoned.tools.length - missed.length}/${poisoned.tools.length}`,
  );
});

test('every rug pull is asked about with the difference shown, and its new text is flagged on its own', () => {
  for (const { id, before, after, newTextFlagged } of poisoned.rugPulls) {
    const [first] = vetTools('svc', [before], undefined, []);
    assert.equal(first?.verdict.status, 'first-use', `${id}: the benign version is not flagged`);
    if (first?.verdict.status !== 'first-use') continue;
    const pins: ServerPins = { identity: 'x', pinnedAt: '', tools: { [before.name]: first.verdict.pin } };
    const [later] = vetTools('svc', [after], pins, []);
    assert.equal(later?.verdict.status, 'ask', id);
    if (later?.verdict.status !== 'ask') continue;
    assert.ok(later.verdict.diff, `${id}: the difference is shown`);
    assert.equal(later.verdict.findings.length > 0, newTextFlagged, `${id}: the new text on its own`);
  }
});

test('no honest tool of widely used servers is flagged, with all of them configured at once', () => {
  assert.deepEqual(vetTogether(honest), []);
});

test('catalogs named in WARDEN_MCP_HONEST_EXTRA are not flagged either', {
  skip: !process.env.WARDEN_MCP_HONEST_EXTRA,
}, () => {
  assert.deepEqual(vetTogether([...honest, ...extraCatalogs()]), []);
});
