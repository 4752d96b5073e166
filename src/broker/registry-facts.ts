import { messageOf } from '../errors.ts';
import type { LookupResult, PackageFacts, RegistryEndpoints } from './registry-lookup.ts';

/**
 * What each registry's answer means, in its own wire format: npm's packument and download counts,
 * PyPI's JSON API, crates.io's API, the Go module proxy protocol. 404 and 410 mean the registry
 * does not hold the name; `Unreachable` means it could not say.
 */

/** The registry could not be asked, or did not answer sensibly. */
export class Unreachable extends Error {}

export type Fetched = { status: number; json?: unknown; text?: string };

export type Get = (url: string, as?: 'json' | 'text') => Promise<Fetched>;

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

export async function npmFacts(
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

export async function pypiFacts(
  get: Get,
  base: string,
  name: string,
  registry: string,
): Promise<LookupResult> {
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

export async function cratesFacts(
  get: Get,
  base: string,
  name: string,
  registry: string,
): Promise<LookupResult> {
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

export async function goFacts(get: Get, base: string, name: string, registry: string): Promise<LookupResult> {
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
