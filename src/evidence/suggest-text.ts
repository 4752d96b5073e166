import { createTwoFilesPatch } from 'diff';
import { type Document, isMap, isPair, isScalar, parseDocument } from 'yaml';
import { dependencyRules, type PolicyFile } from '../policy/policy-file.ts';
import type { SuggestedRule, Suggestion } from './suggest.ts';

/** A YAML comment stays one line whatever a path or command holds. */
const oneLine = (text: string) => text.replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ');

/**
 * The suggestion written into the current policy's own text: the values it narrows are replaced in
 * place, each entry with where it came from as a comment (observed, or generalised with the uses it
 * stands for); everything it keeps — restrictions, limits, comments, layout — stays byte for byte,
 * so the diff shows only what changed.
 */
export function suggestionText(suggestion: Suggestion, currentText: string, currentSource: string): string {
  const { file, rules } = suggestion;
  const doc = parseDocument(currentText);
  const edits: Array<{ path: string[]; text: (indent: number) => string }> = [];
  const list = (path: string[], name: string, values: readonly string[] | undefined) => {
    if (values === undefined) return;
    const why = (v: string) => rules.find((r) => r.list === name && r.pattern === v);
    edits.push({
      path,
      text: (indent) =>
        sequence(
          values.map((v) => [JSON.stringify(v), why(v)]),
          indent,
        ),
    });
  };
  list(['files', 'read'], 'files.read', file.files?.read);
  list(['files', 'write'], 'files.write', file.files?.write);
  list(['commands', 'allow'], 'commands.allow', file.commands?.allow);
  list(['network', 'allow'], 'network.allow', file.network?.allow);
  list(['git', 'push'], 'git.push', file.git?.push);
  list(['git', 'pull_requests'], 'git.pull_requests', file.git?.pull_requests);
  // Written only where the verdict changes (an unused allow becomes ask); else as the current file says.
  if (dependencyRules(doc.toJS() as PolicyFile).add !== dependencyRules(file).add) {
    const deps = rules.find((r) => r.list === 'dependencies');
    edits.push({
      path: ['dependencies'],
      text: () => ` ${JSON.stringify(file.dependencies)}${deps ? ` # ${note(deps)}` : ''}`,
    });
  }
  edits.push({ path: ['secrets'], text: () => ` ${JSON.stringify(file.secrets ?? {})}` });
  if (file.mcp?.allow || doc.hasIn(['mcp', 'allow'])) {
    const entries = file.mcp?.allow ?? [];
    edits.push({
      path: ['mcp', 'allow'],
      text: (indent) =>
        sequence(
          entries.map((entry) => {
            const tool = typeof entry === 'string' ? entry : entry.tool;
            return [JSON.stringify(entry), rules.find((r) => r.list === 'mcp.allow' && r.pattern === tool)];
          }),
          indent,
        ),
    });
  }
  const header = [
    `# Suggested by warden policy suggest from ${suggestion.sessions.length} session(s): the least a policy must`,
    '# grant for what they did, within what the current policy grants. Review every GENERALISED entry.',
    `# Current policy: ${oneLine(currentSource)}`,
  ].join('\n');
  return `${header}\n${applyEdits(currentText, doc, edits)}`;
}

/** Each edit replaces the value after `key:` in the text; a key the file lacks is appended at its end. */
function applyEdits(
  text: string,
  doc: Document,
  edits: Array<{ path: string[]; text: (indent: number) => string }>,
): string {
  const spans: Array<{ from: number; to: number; text: string }> = [];
  const appended: Record<string, string[]> = {};
  for (const edit of edits) {
    const parent = edit.path.length === 1 ? doc.contents : doc.getIn(edit.path.slice(0, -1), true);
    const key = edit.path.at(-1) as string;
    const pair = isMap(parent)
      ? parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key)
      : undefined;
    const keyRange = pair && isScalar(pair.key) ? pair.key.range : undefined;
    const valueRange = (pair?.value as { range?: [number, number, number] } | null | undefined)?.range;
    if (keyRange && valueRange) {
      const colon = text.indexOf(':', keyRange[1]);
      const indent = keyRange[0] - (text.lastIndexOf('\n', keyRange[0]) + 1);
      spans.push({ from: colon + 1, to: valueRange[1], text: edit.text(indent) });
    } else {
      // A section the current file does not have (or has only as a flow mapping): a block at the end.
      const [top = '', child] = edit.path;
      if (child === undefined) appended[top] = [`${top}:${edit.text(0)}`];
      else appended[top] = [...(appended[top] ?? [`${top}:`]), `  ${child}:${edit.text(2)}`];
    }
  }
  let out = text;
  for (const span of spans.sort((a, b) => b.from - a.from))
    out = out.slice(0, span.from) + span.text + out.slice(span.to);
  const tail = Object.values(appended).map((lines) => lines.join('\n'));
  return tail.length ? `${out.replace(/\n*$/, '\n')}${tail.join('\n')}\n` : out;
}

/** A block sequence under a key at `indent`, each entry with its note; `[]` when empty. */
function sequence(entries: Array<[string, SuggestedRule | undefined]>, indent: number): string {
  if (entries.length === 0) return ' []';
  const pad = ' '.repeat(indent + 2);
  return entries
    .map(([value, why]) => `\n${pad}- ${value}${why && why.origin !== 'kept' ? `  # ${note(why)}` : ''}`)
    .join('');
}

function note(rule: SuggestedRule): string {
  const uses =
    rule.uses && rule.origin === 'generalised'
      ? ` [${rule.uses.slice(0, 4).join(', ')}${rule.uses.length > 4 ? ', …' : ''}]`
      : '';
  return oneLine(`${rule.origin === 'generalised' ? 'GENERALISED: ' : ''}${rule.why}${uses}`);
}

/** A unified diff from the current policy's text to the suggestion's. */
export function suggestionDiff(currentText: string, currentName: string, suggested: string): string {
  return createTwoFilesPatch(
    currentName,
    'suggested.policy.yaml',
    currentText,
    suggested,
    undefined,
    undefined,
    {
      context: 2,
    },
  );
}
