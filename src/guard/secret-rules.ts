/**
 * Patterns for secrets by their shape, after the rule sets of secretlint and gitleaks: the keys of
 * the big clouds and SaaS providers, private keys, JWTs, credentials inside URLs, and long random
 * values assigned to key-like names. Each captures the secret itself in the group `secret`.
 */
export interface SecretRule {
  id: string;
  pattern: RegExp;
}

export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    pattern:
      /(?<secret>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)/g,
  },
  { id: 'aws-access-key', pattern: /\b(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b/g },
  {
    id: 'aws-secret-key',
    pattern:
      /(?:aws_secret_access_key|aws_secret_key|secretaccesskey)["']?[ \t]*[:=][ \t]*["']?(?<secret>[A-Za-z0-9/+=]{40})\b/gi,
  },
  { id: 'github-token', pattern: /\b(?<secret>(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255})\b/g },
  { id: 'github-token', pattern: /\b(?<secret>github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { id: 'gitlab-token', pattern: /\b(?<secret>glpat-[A-Za-z0-9_-]{20,})\b/g },
  { id: 'slack-token', pattern: /\b(?<secret>xox[abposr]-[A-Za-z0-9-]{10,})\b/g },
  { id: 'stripe-key', pattern: /\b(?<secret>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})\b/g },
  { id: 'anthropic-key', pattern: /\b(?<secret>sk-ant-[A-Za-z0-9_-]{20,})\b/g },
  { id: 'openai-key', pattern: /\b(?<secret>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})\b/g },
  { id: 'google-api-key', pattern: /\b(?<secret>AIza[0-9A-Za-z_-]{35})\b/g },
  { id: 'npm-token', pattern: /\b(?<secret>npm_[A-Za-z0-9]{36})\b/g },
  {
    id: 'jwt',
    pattern: /\b(?<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/g,
  },
  {
    id: 'url-password',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:(?<secret>[^\s@/'"]{3,})@/gi,
  },
  {
    // `Authorization: Bearer …`, git's `AUTHORIZATION: basic <base64>`, curl's `-H "Authorization: token …"`.
    id: 'authorization-header',
    pattern:
      /\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:basic|bearer|token)[ \t]+(?<secret>[A-Za-z0-9+/_.~-]{8,}=*)/gi,
  },
  {
    // The scheme and value without the header name (an `Authorization` value on its own line).
    id: 'authorization-header',
    pattern: /\b(?:basic|bearer)[ \t]+(?<secret>[A-Za-z0-9+/_.~-]{16,}=*)/gi,
  },
  {
    id: 'assigned-secret',
    pattern:
      /\b[A-Za-z0-9_.-]*(?:secret|token|passwd|password|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth)[A-Za-z0-9_.-]*["']?[ \t]*[:=][ \t]*["']?(?<secret>[A-Za-z0-9/+_\-.=]{16,})/gi,
  },
];

/** Shannon entropy in bits per character: random keys score high, words and paths low. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
