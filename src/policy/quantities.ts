/** Durations and sizes as written in a policy: strict, one number and one unit, no guessing. */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

/** `30s`, `10m`, `1h` → milliseconds; undefined when it is not exactly that shape. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
  return value > 0 && Number.isSafeInteger(value) ? value : undefined;
}

/** `512MiB`, `2GiB`, `1GB` → bytes; undefined when it is not exactly that shape. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+)(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * (SIZE_UNITS[match[2] as string] as number);
  return value > 0 && Number.isSafeInteger(value) ? value : undefined;
}

/** Bytes as a person reads them: `512 B`, `8 MiB`, `9.5 GiB` (binary units, one decimal at most). */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${units[unit]}`;
}
