/**
 * The policy's pattern semantics outside Cedar, for the places that must filter many paths at once
 * (the sandbox's masks, grep's results) where asking the engine per path would be too slow: Cedar's
 * `like`, where `*` matches any run of characters, `/` included, and everything else is literal.
 */
export function likeMatcher(patterns: readonly string[]): (text: string) => boolean {
  if (patterns.length === 0) return () => false;
  const source = patterns
    .map((pattern) => pattern.split('*').map(escapeRegExp).join('[\\s\\S]*'))
    .map((body) => `(?:${body})`)
    .join('|');
  const regex = new RegExp(`^(?:${source})$`);
  return (text) => regex.test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
