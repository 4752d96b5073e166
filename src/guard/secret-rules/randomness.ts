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

/** Assigned values must look random to be taken for a secret: ordinary words and paths do not. */
const MIN_RANDOM_ENTROPY = 3.5;

/** Keys mix letters and digits and score high on entropy; words, paths and identifiers do not. */
export function looksRandom(value: string): boolean {
  return (
    /[0-9]/.test(value) &&
    /[A-Za-z]/.test(value) &&
    !looksLikePath(value) &&
    !isDigest(value) &&
    !readsAsCode(value) &&
    entropy(value) >= MIN_RANDOM_ENTROPY
  );
}

/**
 * `src/module12.ts`, `audit-ed25519.pem`, `lib/v2/index`: file names and lower-case paths score
 * as high as keys, but a key does not end in a file extension or read as words between slashes.
 */
function looksLikePath(value: string): boolean {
  if (/\.[a-z][a-z0-9]{0,4}$/.test(value)) return true;
  const segments = value.split('/');
  return segments.length > 1 && segments.every((segment) => /^[a-z0-9_.-]*$/.test(segment));
}

/**
 * `response2.usage.input_tokens`, `process.env.OPENAI_API_KEY2`, `oauth2_client_credentials_v2`:
 * words joined by dots, underscores or dashes, each a word with at most a short number after it.
 * A key's digits fall anywhere; an identifier's come at the ends of its words.
 */
function readsAsCode(value: string): boolean {
  const words = value.split(/[._-]+/).filter(Boolean);
  if (words.length < 2) return false;
  const digits = value.replace(/[^0-9]/g, '').length;
  return digits <= 4 && words.every((word) => /^[A-Za-z]+[0-9]{0,3}$|^[0-9]{1,3}$/.test(word));
}

/** `sha512-…`, `sha256:…`: a digest names content anyone can hash, not a credential. */
function isDigest(value: string): boolean {
  return /^(?:sha(?:1|224|256|384|512)|md5)[-:=]/i.test(value);
}
