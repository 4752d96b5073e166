import { messageOf } from '../errors.ts';

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

class Unreachable extends Error {}
type Fetched = { status: number; json?: unknown; text?: string };

/**
 * Looks packages up in their registries, from Warden's own process (never the sandbox). Answers
 * are kept for the session; an unreachable registry is not kept, so a later look-up tries again.
 */
export function createRegistryLookup(options: RegistryLookupOptions = {}): RegistryLookup {
  const endpoints = options.endpoints ?? PUBLIC_REGISTRIES;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const cache = new Map<string, Promise<LookupResult>>();

  const get = async (url: string, as: 'json' | 'text' = 'json'): Promise<Fetched> => {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', 'user-agent': 'warden-dependency-check' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new Unreachable(reasonOf(error, timeoutMs));
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

type Get = (url: string, as?: 'json' | 'text') => Promise<Fetched>;

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

async function npmFacts(
  get: Get,
  endpoints: RegistryEndpoints,
  name: string,
  registry: string,
): Promise<LookupResult> {
  // A scope's slash is encoded: `@scope%2fname` is how the registry names the document.
  const path = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
  const packument = await get(`${endpoints.npm}/${path}`);
  if (packument.status !== 200) return { status: 'missing', ecosystem: 'npm', name, registry };
  const doc = record(packument.json);
  const time = record(doc.time);
  const latest = string(record(doc['dist-tags']).latest);
  const version = latest === undefined ? {} : record(record(doc.versions)[latest]);
  const scripts = record(version.scripts);
  const installScripts = INSTALL_SCRIPTS.flatMap((hook) => {
    const script = string(scripts[hook]);
    return script === undefined ? [] : [`${hook}: ${script}`];
  });
  if (installScripts.length === 0 && (version.hasInstallScript === true || version.gypfile === true))
    installScripts.push('an install script (native build)');
  const facts: PackageFacts = {
    ecosystem: 'npm',
    name,
    registry,
    ...optional('firstPublished', string(time.created)),
    ...optional('latestVersion', latest),
    installScripts,
    unchecked: latest === undefined ? ['it has no published version'] : [],
  };
  if (endpoints.npmDownloads !== undefined) {
    try {
      const counted = await get(`${endpoints.npmDownloads}/downloads/point/last-week/${name}`);
      // The counts API knows nothing of a package nobody has downloaded yet.
      const count = counted.status === 200 ? number(record(counted.json).downloads) : 0;
      if (count === undefined) facts.unchecked.push('weekly downloads (the counts API gave no number)');
      else facts.downloads = { count, period: 'week' };
    } catch (error) {
      facts.unchecked.push(
        `weekly downloads (${error instanceof Unreachable ? error.message : messageOf(error)})`,
      );
    }
  }
  return { status: 'found', facts };
}

async function pypiFacts(get: Get, base: string, name: string, registry: string): Promise<LookupResult> {
  const answer = await get(`${base}/pypi/${encodeURIComponent(name)}/json`);
  if (answer.status !== 200) return { status: 'missing', ecosystem: 'pypi', name, registry };
  const doc = record(answer.json);
  const uploads = Object.values(record(doc.releases))
    .flatMap((files) => (Array.isArray(files) ? files : []))
    .flatMap((file) => string(record(file).upload_time_iso_8601) ?? []);
  const first = uploads.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  const latestFiles = Array.isArray(doc.urls) ? doc.urls.map(record) : [];
  const kinds = new Set(latestFiles.map((file) => file.packagetype));
  const installScripts =
    kinds.has('sdist') && !kinds.has('bdist_wheel')
      ? ['no wheel: installing builds it from source, which runs its setup code']
      : [];
  const facts: PackageFacts = {
    ecosystem: 'pypi',
    name,
    registry,
    ...optional('firstPublished', first),
    ...optional('latestVersion', string(record(doc.info).version)),
    installScripts,
    unchecked: uploads.length === 0 ? ['it has no uploaded files'] : [],
  };
  return { status: 'found', facts };
}

async function cratesFacts(get: Get, base: string, name: string, registry: string): Promise<LookupResult> {
  const answer = await get(`${base}/api/v1/crates/${encodeURIComponent(name)}`);
  if (answer.status !== 200) return { status: 'missing', ecosystem: 'crates', name, registry };
  const crate = record(record(answer.json).crate);
  const recent = number(crate.recent_downloads);
  const facts: PackageFacts = {
    ecosystem: 'crates',
    name,
    registry,
    ...optional('firstPublished', string(crate.created_at)),
    ...optional('latestVersion', string(crate.max_stable_version) ?? string(crate.max_version)),
    ...(recent === undefined ? {} : { downloads: { count: recent, period: '90 days' as const } }),
    installScripts: [],
    unchecked: [],
  };
  return { status: 'found', facts };
}

async function goFacts(get: Get, base: string, name: string, registry: string): Promise<LookupResult> {
  // The proxy protocol's case encoding: an upper-case letter becomes `!` and its lower case.
  const escaped = name.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  const list = await get(`${base}/${escaped}/@v/list`, 'text');
  if (list.status !== 200) return { status: 'missing', ecosystem: 'go', name, registry };
  const versions = (list.text ?? '').split('\n').filter((v) => /^v\d/.test(v.trim()));
  const oldest = versions.map((v) => v.trim()).sort(compareVersions)[0];
  const facts: PackageFacts = { ecosystem: 'go', name, registry, installScripts: [], unchecked: [] };
  // The oldest tagged version's date is the module's age; untagged, its latest commit's.
  const infoUrl =
    oldest === undefined ? `${base}/${escaped}/@latest` : `${base}/${escaped}/@v/${oldest}.info`;
  const info = await get(infoUrl).catch((error: unknown) => ({ status: 0, json: undefined, error }));
  const time = info.status === 200 ? string(record(info.json).Time) : undefined;
  if (time === undefined) facts.unchecked.push('when it was first published');
  else facts.firstPublished = time;
  const newest = versions.sort(compareVersions).at(-1);
  if (newest !== undefined) facts.latestVersion = newest;
  return { status: 'found', facts };
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[.-]/)
      .map((p) => Number.parseInt(p, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

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

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function string(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
