import { AI_RULES } from './ai.ts';
import { AWS_RULES } from './aws.ts';
import { AZURE_RULES } from './azure.ts';
import { CI_RULES } from './ci.ts';
import { CLOUD_RULES } from './clouds.ts';
import { CODE_HOSTING_RULES } from './code-hosting.ts';
import { DATA_RULES } from './data.ts';
import { GENERIC_RULES } from './generic.ts';
import { GOOGLE_RULES } from './google.ts';
import { IDENTITY_RULES } from './identity.ts';
import { INFRASTRUCTURE_RULES } from './infrastructure.ts';
import { MESSAGING_RULES } from './messaging.ts';
import { OBSERVABILITY_RULES } from './observability.ts';
import { PAYMENT_RULES } from './payments.ts';
import { PRODUCTIVITY_RULES } from './productivity.ts';
import { REGISTRY_RULES } from './registries.ts';
import type { SecretRule } from './rule.ts';

export type { SecretRule } from './rule.ts';

/** The provider families, a file each, written from the providers' documented formats. */
export const PROVIDER_FAMILIES: Readonly<Record<string, readonly SecretRule[]>> = {
  aws: AWS_RULES,
  google: GOOGLE_RULES,
  azure: AZURE_RULES,
  'code hosting': CODE_HOSTING_RULES,
  'package registries': REGISTRY_RULES,
  'AI providers': AI_RULES,
  messaging: MESSAGING_RULES,
  payments: PAYMENT_RULES,
  observability: OBSERVABILITY_RULES,
  'CI/CD': CI_RULES,
  infrastructure: INFRASTRUCTURE_RULES,
  clouds: CLOUD_RULES,
  data: DATA_RULES,
  productivity: PRODUCTIVITY_RULES,
  identity: IDENTITY_RULES,
};

/**
 * Every rule. Where two match the same text the earlier names it: providers' rules (a context rule
 * before the prefix rule it narrows, as DeepSeek's before OpenAI's `sk-`) before the generic forms
 * (private keys, JWTs, passwords in URLs, `Authorization` headers, random values assigned to
 * key-like names).
 */
export const SECRET_RULES: readonly SecretRule[] = checked([
  ...Object.values(PROVIDER_FAMILIES).flat(),
  ...GENERIC_RULES,
]);

/** A malformed rule is a bug in this folder: fail at load, not by missing secrets. */
function checked(rules: SecretRule[]): SecretRule[] {
  const ids = new Set<string>();
  for (const rule of rules) {
    const where = `secret rule ${rule.id}`;
    if (ids.has(rule.id)) throw new Error(`${where}: the id is used twice`);
    ids.add(rule.id);
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(rule.id)) throw new Error(`${where}: ids are kebab-case`);
    if (!rule.pattern.global) throw new Error(`${where}: the pattern needs the g flag`);
    if (!rule.pattern.source.includes('(?<secret>'))
      throw new Error(`${where}: the pattern needs a secret group`);
    if (rule.keywords.length === 0) throw new Error(`${where}: a rule needs at least one keyword`);
  }
  return rules;
}
