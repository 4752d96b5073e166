import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(value: number, width: number): string {
  let out = '';
  for (let n = value; n > 0; n = Math.floor(n / 62)) out = BASE62[n % 62] + out;
  return out.padStart(width, '0');
}

/**
 * GitHub's and npm's tokens end in the CRC32 of their random part in six base62 digits
 * (github.blog, "Behind GitHub's new authentication token formats", 2021). Samples carry it; the
 * rules do not check it, so a token with a wrong checksum is still hidden.
 */
export const withCrc32Base62 =
  (prefix: string) =>
  (value: string): string =>
    `${value}${base62(crc32(value.slice(prefix.length)), 6)}`;

/** Atlassian's API tokens end in `=` and the CRC32 of what precedes it in eight hex digits. */
export const withCrc32Hex = (value: string): string =>
  `${value}=${crc32(value).toString(16).toUpperCase().padStart(8, '0')}`;
