import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canonicalJson } from './canonical-json.ts';
import { type AuditRecord, type DigestData, digestSigningBytes, recordHash } from './record.ts';
import { keyIdOf, type Signer } from './signer.ts';
import { verifyAuditBytes, verifyAuditLog } from './verify.ts';
import { openAuditLog } from './writer.ts';

let root: string;
let signer: Signer;
let log: Buffer;

function memorySigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId: keyIdOf(publicKey), publicKey, sign: async (bytes) => sign(null, bytes, privateKey) };
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-verify-'));
  signer = memorySigner();
  const writer = await openAuditLog({
    dir: root,
    session: 'm',
    signer,
    digestEvery: 100,
    durability: 'none',
  });
  for (let i = 0; i < 300; i++) {
    await writer.append(i % 2 ? 'tool.finished' : 'tool.requested', {
      i,
      command: `echo ${i} "ü"`,
      ok: i % 3 === 0,
    });
  }
  await writer.close();
  log = await readFile(writer.file);
});
after(async () => rm(root, { recursive: true, force: true }));

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s % n;
  };
}

function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    lines.push(bytes.subarray(start, nl + 1));
    start = nl + 1;
  }
  return lines;
}

const rewrite = (record: Omit<AuditRecord, 'hash'>): Buffer => {
  const full = { ...record, hash: recordHash(record) };
  return Buffer.from(`${canonicalJson(full)}\n`);
};

type Mutation = (bytes: Buffer, lines: Buffer[], pick: (n: number) => number) => Buffer;

const otherKey = generateKeyPairSync('ed25519');

const mutations: Record<string, Mutation> = {
  'flip a byte': (bytes, _lines, pick) => {
    const out = Buffer.from(bytes);
    const at = pick(out.length);
    out[at] = (out[at] as number) ^ (1 + pick(255));
    return out;
  },
  'delete a line': (_b, lines, pick) => {
    const gone = pick(lines.length);
    return Buffer.concat(lines.filter((_, i) => i !== gone));
  },
  'duplicate a line': (_b, lines, pick) => {
    const i = pick(lines.length);
    return Buffer.concat([...lines.slice(0, i + 1), lines[i] as Buffer, ...lines.slice(i + 1)]);
  },
  'swap two lines': (_b, lines, pick) => {
    const i = pick(lines.length);
    const j = (i + 1 + pick(lines.length - 1)) % lines.length;
    const out = [...lines];
    [out[i], out[j]] = [lines[j] as Buffer, lines[i] as Buffer];
    return Buffer.concat(out);
  },
  'truncate at an offset': (bytes, _lines, pick) => bytes.subarray(0, pick(bytes.length)),
  'truncate at a record boundary': (_b, lines, pick) => Buffer.concat(lines.slice(0, pick(lines.length))),
  're-sign a digest with another key': (_b, lines, pick) => {
    const digests = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes('"type":"audit.digest"'));
    const [line, index] = digests[pick(digests.length)] as readonly [Buffer, number];
    const record = JSON.parse(line.toString()) as AuditRecord;
    const data = { ...(record.data as DigestData), keyId: keyIdOf(otherKey.publicKey) };
    data.signature = sign(null, digestSigningBytes(data), otherKey.privateKey).toString('base64');
    const out = [...lines];
    out[index] = rewrite({ ...record, data });
    return Buffer.concat(out);
  },
  'edit a record and recompute its hash': (_b, lines, pick) => {
    const index = pick(lines.length);
    const record = JSON.parse((lines[index] as Buffer).toString()) as AuditRecord;
    const out = [...lines];
    out[index] = rewrite({
      ...record,
      time: new Date(Date.parse(record.time) + 1 + pick(1000)).toISOString(),
    });
    return Buffer.concat(out);
  },
};

test('the unmodified log verifies', async () => {
  const result = verifyAuditBytes(log, { publicKey: signer.publicKey });
  assert.deepEqual(result, { ok: true, records: 304, digests: 4 });
});

test('10,000 random mutations of a real log are all detected', () => {
  const lines = splitLines(log);
  const names = Object.keys(mutations);
  const pick = random(20261125);
  const seen = new Map<string, number>();
  for (let n = 0; n < 10_000; n++) {
    const name = names[n % names.length] as string;
    const mutated = (mutations[name] as Mutation)(log, lines, pick);
    if (mutated.equals(log)) continue; // e.g. truncating at the very end: not a change
    const result = verifyAuditBytes(mutated, { publicKey: signer.publicKey });
    assert.equal(result.ok, false, `mutation ${n} (${name}) went undetected`);
    const key = `${name}: ${result.ok ? '' : result.firstBad.check}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const checks = new Set([...seen.keys()].map((k) => k.split(': ')[1]));
  for (const check of ['json', 'hash', 'chain', 'seq', 'digest-signature', 'torn-tail', 'truncated']) {
    assert.ok(checks.has(check), `no mutation was caught by the ${check} check`);
  }
});

test('a cut exactly after an intermediate digest is truncation, not an intact log', () => {
  const lines = splitLines(log);
  const index = lines.findIndex((l) => l.includes('"type":"audit.digest"'));
  const result = verifyAuditBytes(Buffer.concat(lines.slice(0, index + 1)), { publicKey: signer.publicKey });
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.firstBad, { seq: index + 1, line: index + 2, check: 'truncated' });
});

test('a digest whose Merkle root is wrong but freshly signed by the right key is caught', async () => {
  const lines = splitLines(log);
  const index = lines.findIndex((l) => l.includes('"type":"audit.digest"'));
  const record = JSON.parse((lines[index] as Buffer).toString()) as AuditRecord;
  const data = { ...(record.data as DigestData), merkleRoot: 'a'.repeat(64) };
  data.signature = (await signer.sign(digestSigningBytes(data))).toString('base64');
  const out = [...lines];
  out[index] = rewrite({ ...record, data });
  const result = verifyAuditBytes(Buffer.concat(out), { publicKey: signer.publicKey });
  assert.deepEqual(!result.ok && result.firstBad, { seq: index, line: index + 1, check: 'digest-merkle' });
});

test('verifyAuditLog reads a file and names the first bad record', async () => {
  const ok = await verifyAuditLog(join(root, 'm.audit.jsonl'), { publicKey: signer.publicKey });
  assert.equal(ok.ok, true);
  const wrongKey = await verifyAuditLog(join(root, 'm.audit.jsonl'), { publicKey: otherKey.publicKey });
  assert.deepEqual(!wrongKey.ok && wrongKey.firstBad, { seq: 100, line: 101, check: 'digest-signature' });
});

test("a log under another session's name, or with a digest removed, is caught when that is checked", async () => {
  const lines = splitLines(log);
  const renamed = join(root, 'other.audit.jsonl');
  await writeFile(renamed, log);
  const result = await verifyAuditLog(renamed, { publicKey: signer.publicKey });
  assert.deepEqual(!result.ok && result.firstBad, { seq: 0, line: 1, check: 'chain' });

  assert.equal(verifyAuditBytes(log, { publicKey: signer.publicKey, digestEvery: 100 }).ok, true);
  const tight = verifyAuditBytes(log, { publicKey: signer.publicKey, digestEvery: 60 });
  assert.deepEqual(!tight.ok && tight.firstBad, { seq: 60, line: 61, check: 'missing-digest' });
  assert.equal(lines.length, 304);
});
