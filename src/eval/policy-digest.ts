import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json.ts';
import type { CompiledPolicy } from '../policy/engine.ts';

/** What a run records of its policy: a digest of the parsed file, so formatting does not change it. */
export function policyDigest(policy: CompiledPolicy): string {
  return createHash('sha256').update(canonicalJson(policy.file)).digest('hex');
}
