import { hash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json.ts';
import type { CompiledPolicy } from '../policy/engine.ts';

/**
 * `sha256:<hex>` of the policy in force: the policy file as validated (every rule, list, limit and
 * verdict), in canonical JSON. Comments, key order, quoting and YAML style do not change it; any
 * change to what is allowed, asked or denied does. The Cedar it compiles to is fixed by the Warden
 * version, which the receipt names beside it.
 */
export function policyDigest(policy: Pick<CompiledPolicy, 'file'>): string {
  return `sha256:${hash('sha256', canonicalJson(policy.file))}`;
}
