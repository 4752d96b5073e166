import { messageOf } from '../errors.ts';
import { cratesFacts, type Fetched, goFacts, npmFacts, pypiFacts, Unreachable } from './registry-facts.ts';

export type Ecosystem = 'npm' | 'pypi' | 'crates' | 'go';

/** Base URLs of the registries, from trusted configuration only (see registry-config.ts). */
export interface RegistryEndpoints {
  npm: string;
  /** npm's download counts API; undefined when the registry has none (a private one). */
  npmDownloads: string | undefined;
  pypi: string;
  crates: string;
  go: string;
}

export const PUBLIC_REGISTRIES: RegistryEndpoints = {
  npm: 'https://registry.npmjs.org',
  npmDownloads: 'https://api.npmjs.org',
  pypi: 'https://pypi.org',
  crates: 'https://crates.io',
  go: 'https://proxy.golang.org',
};

/** What a registry says about a package that exists. */
export interface PackageFacts {
  ecosystem: Ecosystem;
  name: string;
  /** The registry as a reader knows it, e.g. "the npm registry (https://registry.npmjs.org)". */
  registry: string;
  /** When its first version was published (ISO 8601), when the registry says. */
  firstPublished?: string;
  latestVersion?: string;
  /** Downloads over `period`, when the registry counts them. */
  downloads?: { count: number; period: 'week' | '90 days' };
  /** What runs when it is installed: npm lifecycle scripts, a build from source. */
  installScripts: string[];
  /** Facts that could not be learnt, and why: each is a reason to ask. */
  unchecked: string[];
}

export type LookupResult =
  | { status: 'found'; facts: PackageFacts }
  | { status: 'missing'; ecosystem: Ecosystem; name: string; registry: string }
  | { status: 'unchecked'; ecosystem: Ecosystem; name: string; registry: string; reason: string };

export interface RegistryLookup {
  lookup(ecosystem: Ecosystem, name: string): Promise<LookupResult>;
}

export interface RegistryLookupOptions {
  endpoints?: RegistryEndpoints;
  /** Per request; default 5 s. */
  timeoutMs?: number;
  /** Largest response read; default 64 MiB (the packument of a much-published package is large). */
  maxBytes?: number;
  /**
   * After a registry fails to answer, how long later look-ups there fail at once with the same
   * reason instead of waiting out another timeout each; default 30 s. A write that adds a hundred
   * packages while the registry is down is asked about in seconds, not minutes.
   */
  retryAfterMs?: number;
}

const NAME_RULES: Record<Ecosystem, RegExp> = {
  npm: /^(@[a-z0-9~][\w.~-]*\/)?[a-z0-9~][\w.~-]*$/i,
  pypi: /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/,
  crates: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
  go: /^[A-Za-z0-9.-]+\.[A-Za-z]+(\/[\w.~+-]+)*$/,
};

/** Is this a name the registry could hold (not a path, URL or git spec)? */
export function isRegistryName(ecosystem: Ecosystem, name: string): boolean {
  return name.length <= 214 && NAME_RULES[ecosystem].test(name);
}

/**
 * Looks packages up in their registries, from Warden's own process (never the sandbox). Answers
 * are kept for the session; an unreachable registry is not kept, so a later look-up tries again.
 */
export function createRegistryLookup(options: RegistryLookupOptions = {}): RegistryLookup {
  const endpoints = options.endpoints ?? PUBLIC_REGISTRIES;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const retryAfterMs = options.retryAfterMs ?? 30_000;
  const cache = new Map<string, Promise<LookupResult>>();
  /** Origin → until when it is taken to be down, and why. */
  const down = new Map<string, { until: number; reason: string }>();

  const get = async (url: string, as: 'json' | 'text' = 'json'): Promise<Fetched> => {
    const origin = new URL(url).origin;
    const known = down.get(origin);
    if (known && Date.now() < known.until) throw new Unreachable(known.reason);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', 'user-agent': 'warden-dependency-check' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = reasonOf(error, timeoutMs);
      down.set(origin, { until: Date.now() + retryAfterMs, reason });
      throw new Unreachable(reason);
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return { status: response.status };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Unreachable(`it answered HTTP ${response.status}`);
    }
    const text = await readCapped(response, maxBytes, timeoutMs);
    if (as === 'text') return { status: response.status, text };
    try {
      return { status: response.status, json: JSON.parse(text) };
    } catch {
      throw new Unreachable('its answer was not JSON');
    }
  };

  const lookups: Record<Ecosystem, (name: string, registry: string) => Promise<LookupResult>> = {
    npm: (name, registry) => npmFacts(get, endpoints, name, registry),
    pypi: (name, registry) => pypiFacts(get, endpoints.pypi, name, registry),
    crates: (name, registry) => cratesFacts(get, endpoints.crates, name, registry),
    go: (name, registry) => goFacts(get, endpoints.go, name, registry),
  };

  return {
    lookup(ecosystem, name) {
      const key = `${ecosystem}:${ecosystem === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const registry = `the ${LABELS[ecosystem]} (${endpoints[ecosystem]})`;
      const pending = lookups[ecosystem](name, registry).catch(
        (error): LookupResult => ({
          status: 'unchecked',
          ecosystem,
          name,
          registry,
          reason: `${registry} could not be reached: ${error instanceof Unreachable ? error.message : messageOf(error)}`,
        }),
      );
      cache.set(key, pending);
      void pending.then((result) => {
        if (result.status === 'unchecked') cache.delete(key);
      });
      return pending;
    },
  };
}

const LABELS: Record<Ecosystem, string> = {
  npm: 'npm registry',
  pypi: 'PyPI registry',
  crates: 'crates.io registry',
  go: 'Go module proxy',
};

async function readCapped(response: Response, maxBytes: number, timeoutMs: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new Unreachable(`its answer was larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof Unreachable) throw error;
    throw new Unreachable(reasonOf(error, timeoutMs));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs / 1000}s`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ?? messageOf(error);
}
