import { posix } from 'node:path';
import type { Ecosystem } from '../broker/registry-lookup.ts';
import { cargoNames } from './cargo-manifest.ts';
import type { ManifestNames } from './manifest-toml.ts';
import { pyprojectNames, requirementsNames } from './python-manifests.ts';

/**
 * A dependency as its registry knows it. A dependency from outside any registry (a git URL, a
 * tarball, an extra package index) carries that source as its name, so the check can say where
 * it comes from; dependencies on local paths are the workspace's own code and are left out.
 */
export interface DependencyRef {
  ecosystem: Ecosystem;
  name: string;
}

export type AddedDependencies = { ok: true; added: DependencyRef[] } | { ok: false; error: string };

type Reader = (text: string) => ManifestNames;

/** The manifest kind of a path, by its file name; undefined for every other file. */
export function manifestEcosystem(path: string): Ecosystem | undefined {
  return manifestOf(path)?.ecosystem;
}

/**
 * The dependencies an edit adds to a manifest: those in `after` that `before` did not have
 * (compared as the registry compares names). Without a readable `before` (a new file), all of
 * them. An `after` that cannot be read is an error: what it adds is unknown, not nothing.
 */
export function addedDependencies(
  path: string,
  before: string | undefined,
  after: string,
): AddedDependencies {
  const manifest = manifestOf(path);
  if (!manifest) return { ok: true, added: [] };
  const now = manifest.read(after);
  if (!now.ok) return { ok: false, error: `${path}: ${now.error}` };
  const then = before === undefined ? undefined : manifest.read(before);
  const known = new Set((then?.ok ? then.names : []).map(manifest.key));
  const added = new Map<string, DependencyRef>();
  for (const name of now.names) {
    const key = manifest.key(name);
    if (!known.has(key) && !added.has(key)) added.set(key, { ecosystem: manifest.ecosystem, name });
  }
  return { ok: true, added: [...added.values()] };
}

function manifestOf(
  path: string,
): { ecosystem: Ecosystem; read: Reader; key: (name: string) => string } | undefined {
  const normal = posix.normalize(path.split('\\').join('/'));
  const base = posix.basename(normal);
  const same = (name: string) => name;
  if (base === 'package.json') return { ecosystem: 'npm', read: packageJsonNames, key: same };
  if (
    /^requirements.*\.txt$/i.test(base) ||
    (posix.basename(posix.dirname(normal)) === 'requirements' && base.endsWith('.txt'))
  )
    return { ecosystem: 'pypi', read: requirementsNames, key: pypiKey };
  if (base === 'pyproject.toml') return { ecosystem: 'pypi', read: pyprojectNames, key: pypiKey };
  if (base === 'Cargo.toml')
    return { ecosystem: 'crates', read: cargoNames, key: (n) => n.replaceAll('_', '-') };
  if (base === 'go.mod') return { ecosystem: 'go', read: goModNames, key: same };
  return undefined;
}

/** PEP 503: case and runs of `-`, `_`, `.` do not tell two PyPI names apart. */
export function pypiKey(name: string): string {
  return /^[A-Za-z0-9]/.test(name) && !name.includes(':') ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- npm -------------------------------------------------------------------------------------

const NPM_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

function packageJsonNames(text: string): ManifestNames {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON (${(error as Error).message})` };
  }
  if (!isRecord(data)) return { ok: false, error: 'not a JSON object' };
  const names: string[] = [];
  for (const section of NPM_SECTIONS) {
    const deps = data[section];
    if (deps === undefined) continue;
    if (!isRecord(deps)) return { ok: false, error: `"${section}" is not an object` };
    for (const [key, spec] of Object.entries(deps)) names.push(...npmSpecName(key, spec));
  }
  // Overrides swap a package deep in the tree for whatever their value names.
  const overrides = (value: unknown): void => {
    if (typeof value === 'string') names.push(...npmSpecName('', value).filter((n) => n !== ''));
    else if (isRecord(value)) for (const inner of Object.values(value)) overrides(inner);
  };
  overrides(data.overrides);
  overrides(data.resolutions);
  if (isRecord(data.pnpm)) overrides(data.pnpm.overrides);
  return { ok: true, names };
}

/**
 * `npm:real@1` installs `real`; a version range or dist-tag installs the key from the registry.
 * Anything else comes from elsewhere and is named by its spec: URLs, `git+…`, `github:u/r`, the
 * `u/r` shorthand, scp-style `git@host:u/r.git`, tarballs, and `file:`/`link:`/relative paths,
 * which may point outside the workspace (named `key@spec`, so no check takes them for its own code).
 */
function npmSpecName(key: string, spec: unknown): string[] {
  const value = typeof spec === 'string' ? spec.trim() : '';
  // `workspace:` is a sibling package of the same repository; `$x` in overrides is x's own range.
  if (/^(workspace:|\$)/.test(value)) return [];
  if (value.startsWith('npm:')) {
    const target = value.slice(4);
    const at = target.lastIndexOf('@');
    return [at > 0 ? target.slice(0, at) : target];
  }
  if (/^[\w\s.^~<>=|*+-]*$/.test(value)) return [key];
  if (/^(file:|link:|portal:|\.{0,2}\/|~\/)/.test(value)) return [`${key}@${value}`];
  return [value];
}

// --- Go modules --------------------------------------------------------------------------------

function goModNames(text: string): ManifestNames {
  const names: string[] = [];
  let block: 'require' | 'replace' | 'other' | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (block !== undefined) {
      if (line === ')') block = undefined;
      else if (block !== 'other') names.push(...goDirective(block, line));
      continue;
    }
    const directive = /^(\w+)\s*(\(?)\s*(.*)$/.exec(line);
    if (!directive) continue;
    const [, verb = '', open, rest = ''] = directive;
    const kind = verb === 'require' || verb === 'replace' ? verb : 'other';
    if (open === '(') block = kind;
    else if (kind !== 'other') names.push(...goDirective(kind, rest));
  }
  return { ok: true, names };
}

/** `mod v1.2.3`, or `old [v] => new [v]`: a replacement by another module is a module added. */
function goDirective(kind: 'require' | 'replace', line: string): string[] {
  const unquote = (word: string) => word.replace(/^"(.*)"$/, '$1').replace(/^`(.*)`$/, '$1');
  if (kind === 'require') {
    const [module] = line.split(/\s+/);
    return module ? [unquote(module)] : [];
  }
  const [, target = ''] = line.split('=>');
  const [module] = target.trim().split(/\s+/);
  if (!module || /^(\.|\/)/.test(unquote(module))) return [];
  return [unquote(module)];
}
