import { hash } from 'node:crypto';

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** One step of an inclusion path: the sibling's hash, and on which side of the running hash it sits. */
export type PathStep = { side: 'left' | 'right'; hash: string };

// RFC 6962 prefixes leaves and nodes differently so an inner node can never pass for a leaf.
export function leafHash(recordHashHex: string): Buffer {
  return hash('sha256', Buffer.concat([LEAF, Buffer.from(recordHashHex, 'hex')]), 'buffer');
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return hash('sha256', Buffer.concat([NODE, left, right]), 'buffer');
}

/** The largest power of two strictly below n (n >= 2), where RFC 6962 splits a tree. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function treeRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return hash('sha256', '', 'buffer');
  if (leaves.length === 1) return leaves[0] as Buffer;
  const k = splitPoint(leaves.length);
  return nodeHash(treeRoot(leaves.slice(0, k)), treeRoot(leaves.slice(k)));
}

/** Merkle tree hash over record hashes (hex), RFC 6962 §2.1. */
export function merkleRoot(recordHashes: readonly string[]): string {
  return treeRoot(recordHashes.map(leafHash)).toString('hex');
}

/** The audit path of leaf `index`, from the leaf up to the root (RFC 6962 §2.1.1). */
export function merklePath(recordHashes: readonly string[], index: number): PathStep[] {
  if (!Number.isInteger(index) || index < 0 || index >= recordHashes.length) {
    throw new RangeError(`leaf ${index} is outside a tree of ${recordHashes.length}`);
  }
  const steps: PathStep[] = [];
  let leaves = recordHashes.map(leafHash);
  let m = index;
  // Walk down from the root, remembering the sibling subtree at each split; reversed at the end.
  while (leaves.length > 1) {
    const k = splitPoint(leaves.length);
    if (m < k) {
      steps.push({ side: 'right', hash: treeRoot(leaves.slice(k)).toString('hex') });
      leaves = leaves.slice(0, k);
    } else {
      steps.push({ side: 'left', hash: treeRoot(leaves.slice(0, k)).toString('hex') });
      leaves = leaves.slice(k);
      m -= k;
    }
  }
  return steps.reverse();
}

/** The root a leaf and its path lead to. */
export function rootFromPath(recordHashHex: string, path: readonly PathStep[]): string {
  let h = leafHash(recordHashHex);
  for (const step of path) {
    const sibling = Buffer.from(step.hash, 'hex');
    h = step.side === 'left' ? nodeHash(sibling, h) : nodeHash(h, sibling);
  }
  return h.toString('hex');
}
