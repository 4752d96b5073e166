import assert from 'node:assert/strict';
import { chmod, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { canonicalJson } from '../audit/canonical-json.ts';
import { type Signer, toPublicKey } from '../audit/signer.ts';
import { openAuditLog } from '../audit/writer.ts';
import { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.ts';
import type { ReceiptStatement } from './statement.ts';
import { gitIn, memorySigner, type ReceiptFixture, receiptFixture } from './testing/receipt-fixture.ts';
import { type ReceiptVerification, type VerifyReceiptOptions, verifyReceipt } from './verify.ts';

let f: ReceiptFixture;
let trusted: VerifyReceiptOptions['publicKeys'];
before(async () => {
  f = await receiptFixture();
  trusted = [toPublicKey(f.signer.publicKey)];
});
after(() => f.cleanup());

const failed = (result: ReceiptVerification) => result.checks.filter((c) => !c.ok).map((c) => c.name);
const statementOf = (envelope: DsseEnvelope): ReceiptStatement =>
  JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
const resign = (statement: unknown, signer: Signer) =>
  signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(canonicalJson(statement)), signer);
const full = (): VerifyReceiptOptions => ({ publicKeys: trusted, repo: f.repo, auditLog: f.auditFile });
/** The statement with one predicate field changed, the payload re-encoded, the old signature kept. */
function edited(change: (p: ReceiptStatement['predicate']) => void): DsseEnvelope {
  const statement = statementOf(f.envelope);
  change(statement.predicate);
  return { ...f.envelope, payload: Buffer.from(canonicalJson(statement)).toString('base64') };
}

test('a real receipt passes every check against its repository and audit log', async () => {
  const result = await verifyReceipt(JSON.parse(JSON.stringify(f.envelope)), { ...full(), rev: f.commit });
  assert.deepEqual(failed(result), []);
  assert.deepEqual(
    result.checks.map((c) => c.name),
    [
      'envelope',
      'payload-type',
      'signature',
      'statement',
      'audit-digest',
      'commit',
      'rev',
      'tree',
      'diff',
      'audit-log',
      'audit-contains',
    ],
  );
  const { predicate, subject } = result.statement ?? assert.fail('no statement');
  assert.deepEqual(subject, [{ name: `${f.repo}@${f.commit}`, digest: { gitCommit: f.commit } }]);
  assert.equal(predicate.baseCommit, f.base);
  assert.equal(predicate.audit.merkleRoot, f.audit.merkleRoot);
  assert.equal(predicate.session, f.session);
});

test('a changed commit fails: edited in the receipt, re-signed by the trusted key, or absent from the repository', async () => {
  const other = gitIn(f.repo, 'commit-tree', '-p', f.base, '-m', 'x', `${f.base}^{tree}`);
  assert.deepEqual(
    failed(
      await verifyReceipt(
        edited((p) => {
          p.commit = other;
        }),
        full(),
      ),
    ),
    ['signature', 'statement'],
  );
  const statement = statementOf(f.envelope);
  statement.predicate.commit = other;
  statement.subject[0] = { name: `${f.repo}@${other}`, digest: { gitCommit: other } };
  const resigned = await verifyReceipt(await resign(statement, f.signer), full());
  assert.deepEqual(failed(resigned), ['tree', 'diff']);
  // A clone that has the base but not the session's commit.
  const clone = join(f.dir, 'clone-base');
  gitIn(f.dir, 'clone', '-q', '--no-local', f.repo, clone);
  assert.deepEqual(failed(await verifyReceipt(f.envelope, { ...full(), repo: clone })), ['commit']);
  // The branch a reviewer looks at now points elsewhere.
  gitIn(f.repo, 'update-ref', 'refs/heads/review', other);
  assert.deepEqual(failed(await verifyReceipt(f.envelope, { ...full(), rev: 'review' })), ['rev']);
});

test('git replace cannot pass another commit off under the receipt’s id', async () => {
  const copy = join(f.dir, 'replaced');
  await cp(f.repo, copy, { recursive: true });
  const tree = gitIn(copy, 'rev-parse', `${f.base}^{tree}`);
  const other = gitIn(copy, 'commit-tree', '-p', f.base, '-m', 'impostor', tree);
  gitIn(copy, 'replace', f.commit, other);
  const result = await verifyReceipt(f.envelope, { ...full(), repo: copy });
  assert.deepEqual(failed(result), ['commit']);
  assert.match(result.checks.find((c) => c.name === 'commit')?.detail ?? '', /git replace/);
});

test('a changed diff fails: the digest edited, or a file changed under the same object ids', async () => {
  const zero = `sha256:${'0'.repeat(64)}`;
  assert.deepEqual(
    failed(
      await verifyReceipt(
        edited((p) => {
          p.diffDigest = zero;
        }),
        full(),
      ),
    ),
    ['signature', 'diff'],
  );
  const statement = statementOf(f.envelope);
  statement.predicate.diffDigest = zero;
  assert.deepEqual(failed(await verifyReceipt(await resign(statement, f.signer), full())), ['diff']);

  // The blob of src/sum.js rewritten in place: commit and tree ids unchanged, content not.
  const copy = join(f.dir, 'rewritten');
  await cp(f.repo, copy, { recursive: true });
  const blob = gitIn(copy, 'rev-parse', `${f.commit}:src/sum.js`);
  const file = join(copy, '.git', 'objects', blob.slice(0, 2), blob.slice(2));
  const content = Buffer.from('export const sum = (a, b) => steal(a) + b;\n');
  await chmod(file, 0o644);
  await writeFile(file, deflateSync(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content])));
  const result = await verifyReceipt(f.envelope, { ...full(), repo: copy });
  assert.deepEqual(failed(result), ['diff']);
});

test('a changed policy digest fails, and a reviewer can require the policy they expect', async () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  assert.deepEqual(
    failed(
      await verifyReceipt(
        edited((p) => {
          p.policy.digest = digest;
        }),
        full(),
      ),
    ),
    ['signature'],
  );
  assert.deepEqual(failed(await verifyReceipt(f.envelope, { ...full(), policyDigest: digest })), ['policy']);
  assert.deepEqual(
    failed(await verifyReceipt(f.envelope, { ...full(), policyDigest: `sha256:${'a'.repeat(64)}` })),
    [],
  );
});

test('a wrong key fails: signed by another key, or the keyid swapped', async () => {
  const mallory = memorySigner();
  const byMallory = await resign(statementOf(f.envelope), mallory);
  assert.deepEqual(failed(await verifyReceipt(byMallory, full())), ['signature']);
  // Mallory's key trusted too, the signature's keyid claiming it: the signature is not Mallory's.
  const both = [...trusted, toPublicKey(mallory.publicKey)];
  const swapped = {
    ...f.envelope,
    signatures: [{ keyid: mallory.keyId, sig: f.envelope.signatures[0]?.sig ?? '' }],
  };
  assert.deepEqual(failed(await verifyReceipt(swapped, { ...full(), publicKeys: both })), ['signature']);
  // And with only Mallory's key trusted, the real receipt is not hers.
  const onlyMallory = await verifyReceipt(f.envelope, {
    ...full(),
    publicKeys: [toPublicKey(mallory.publicKey)],
  });
  assert.ok(failed(onlyMallory).includes('signature') && failed(onlyMallory).includes('audit-digest'));
});

test('a changed payloadType, or the signature of another payload, fails', async () => {
  const typed = await verifyReceipt({ ...f.envelope, payloadType: 'application/json' }, full());
  assert.deepEqual(failed(typed), ['payload-type', 'signature']);
  const another = await resign(
    { ...statementOf(f.envelope), predicate: { ...statementOf(f.envelope).predicate, models: ['x'] } },
    f.signer,
  );
  const spliced = { ...f.envelope, signatures: another.signatures };
  assert.deepEqual(failed(await verifyReceipt(spliced, full())), ['signature']);
});

test('a truncated audit log, or the log of another session, fails', async () => {
  const log = await readFile(f.auditFile);
  const lines = log.toString().split('\n');
  const cut = Buffer.from(`${lines.slice(0, -2).join('\n')}\n`);
  assert.deepEqual(failed(await verifyReceipt(f.envelope, { ...full(), auditLog: cut })), ['audit-log']);
  const otherLog = await openAuditLog({
    dir: join(f.dir, 'other'),
    session: 'sother-2',
    signer: f.signer,
    durability: 'none',
  });
  await otherLog.append('session.started', { task: 'something else' });
  await otherLog.close();
  const other = await verifyReceipt(f.envelope, { ...full(), auditLog: otherLog.file });
  assert.deepEqual(failed(other), ['audit-log']);
  assert.match(other.checks.at(-1)?.detail ?? '', /session/);
  // Intact, the same session's, but continued past the receipt: it still holds the receipt's digest.
  const resumed = await openAuditLog({
    dir: join(f.dir, 'audit'),
    session: f.session,
    signer: f.signer,
    durability: 'none',
  });
  await resumed.append('session.started', { task: 'more' });
  await resumed.close();
  assert.deepEqual(failed(await verifyReceipt(f.envelope, full())), []);
  const missing = await verifyReceipt(f.envelope, { ...full(), auditLog: join(f.dir, 'nope.jsonl') });
  assert.match(missing.checks.at(-1)?.detail ?? '', /does not exist/);
});

test('malformed input is a failed check with a reason, never a throw', async () => {
  for (const value of [
    null,
    42,
    'x',
    [],
    {},
    { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: 'bm90IGpzb24=', signatures: [{ keyid: 'k', sig: '' }] },
    { ...f.envelope, payload: Buffer.from('{"_type":1}').toString('base64') },
  ]) {
    const result = await verifyReceipt(value, full());
    assert.equal(result.ok, false);
    assert.ok(result.checks.some((c) => !c.ok && c.detail.length > 0));
  }
  const notRepo = await verifyReceipt(f.envelope, { ...full(), repo: f.dir });
  assert.deepEqual(failed(notRepo), ['commit']);
});

type Leaf = { path: (string | number)[]; value: unknown };
function leaves(value: unknown, path: (string | number)[] = []): Leaf[] {
  if (typeof value !== 'object' || value === null) return [{ path, value }];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => leaves(v, [...path, k]));
}
function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  let at = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1) as string | number] = value;
}

test('property: changing any field of a receipt, without the key, fails verification', async () => {
  const envelopeLeaves = leaves({ ...f.envelope, payload: undefined }).filter((l) => l.path[0] !== 'payload');
  const statementLeaves = leaves(statementOf(f.envelope));
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.nat(), fc.jsonValue(), async (inStatement, pick, replacement) => {
      const pool = inStatement ? statementLeaves : envelopeLeaves;
      const leaf = pool[pick % pool.length] as Leaf;
      fc.pre(canonicalJson(replacement) !== canonicalJson(leaf.value));
      const envelope = structuredClone(f.envelope) as unknown as Record<string, unknown>;
      if (inStatement) {
        const statement = statementOf(f.envelope);
        setAt(statement, leaf.path, replacement);
        envelope.payload = Buffer.from(canonicalJson(statement)).toString('base64');
      } else setAt(envelope, leaf.path, replacement);
      const result = await verifyReceipt(envelope, { publicKeys: trusted });
      assert.equal(
        result.ok,
        false,
        `changing ${leaf.path.join('.')} to ${JSON.stringify(replacement)} passed`,
      );
    }),
    { numRuns: 300 },
  );
});

test('property: a field the repository or the log vouches for fails even re-signed by the trusted key', async () => {
  const bound = leaves(statementOf(f.envelope)).filter((l) => {
    const [top, field] = l.path;
    return (
      top === 'subject' ||
      (top === 'predicate' &&
        ['baseCommit', 'commit', 'tree', 'diffDigest', 'session', 'audit'].includes(String(field)))
    );
  });
  const hexish = fc.oneof(
    fc.jsonValue(),
    fc.stringMatching(/^[0-9a-f]{64}$/),
    fc.stringMatching(/^[0-9a-f]{40}$/),
    fc.nat(),
  );
  await fc.assert(
    fc.asyncProperty(fc.nat(), hexish, async (pick, replacement) => {
      const leaf = bound[pick % bound.length] as Leaf;
      fc.pre(canonicalJson(replacement) !== canonicalJson(leaf.value));
      const statement = statementOf(f.envelope);
      setAt(statement, leaf.path, replacement);
      const result = await verifyReceipt(await resign(statement, f.signer), full());
      assert.equal(
        result.ok,
        false,
        `changing ${leaf.path.join('.')} to ${JSON.stringify(replacement)} passed`,
      );
    }),
    { numRuns: 60 },
  );
});
