import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson } from './canonical-json.ts';
import { merklePath, merkleRoot, rootFromPath } from './merkle.ts';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const h = (i: number) => createHash('sha256').update(`record ${i}`).digest('hex');

test('canonical JSON sorts keys at every depth and has no whitespace', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }),
    '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
  );
  assert.equal(canonicalJson({ a: undefined, b: [undefined], c: null }), '{"b":[null],"c":null}');
  assert.equal(canonicalJson('é\n"'), '"é\\n\\""');
  assert.equal(canonicalJson({ t: new Date(0) }), '{"t":"1970-01-01T00:00:00.000Z"}');
  assert.throws(() => canonicalJson({ n: Number.POSITIVE_INFINITY }), { code: 'audit.not_json' });
  assert.throws(() => canonicalJson(10n), { code: 'audit.not_json' });
});

test('the Merkle root follows RFC 6962: prefixed leaves and nodes, split at the largest power of two', () => {
  const leaf = (i: number) => sha(Buffer.from([0]), Buffer.from(h(i), 'hex'));
  const node = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
  assert.equal(merkleRoot([]), createHash('sha256').digest('hex'));
  assert.equal(merkleRoot([h(0)]), leaf(0).toString('hex'));
  const three = node(node(leaf(0), leaf(1)), leaf(2));
  assert.equal(merkleRoot([h(0), h(1), h(2)]), three.toString('hex'));
});

test('every leaf of trees of every size up to 40 has a path back to the root, and only its own', () => {
  for (let n = 1; n <= 40; n++) {
    const hashes = Array.from({ length: n }, (_, i) => h(i));
    const root = merkleRoot(hashes);
    for (let i = 0; i < n; i++) {
      const path = merklePath(hashes, i);
      assert.equal(rootFromPath(hashes[i] as string, path), root, `n=${n} i=${i}`);
      assert.notEqual(rootFromPath(h(1000), path), root);
    }
  }
});
