import { posix } from 'node:path';
import type { Ecosystem } from '../broker/registry-lookup.ts';
import { readToml, type TomlTable, type TomlValue } from './toml-reader.ts';

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

type Reader = (text: string) => { ok: true; names: string[] } | { ok: false; error: string };

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

function packageJsonNames(text: string): ReturnType<Reader> {
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

// --- PyPI ------------------------------------------------------------------------------------

const PEP508_NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(@\s*(\S+))?/;

/** A PEP 508 requirement: its name, or for `name @ URL` the URL. */
function requirementName(requirement: string): string | undefined {
  const text = requirement.trim();
  if (text === '' || /^(\.|\/|~)/.test(text)) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^git\+/.test(text)) return text.split(/[\s;]/)[0];
  const match = PEP508_NAME.exec(text);
  if (!match) return undefined;
  const url = match[4];
  if (url !== undefined) return /^(file:|\.|\/)/.test(url) ? undefined : url;
  return match[1];
}

/** Options that name a package source; a new one makes every later name come from it. */
const SOURCE_OPTIONS = /^(-i|--index-url|--extra-index-url|-f|--find-links)(?:\s*=?\s*|\s+)(\S+)/;

function requirementsNames(text: string): ReturnType<Reader> {
  const names: string[] = [];
  const logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of logical) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const source = SOURCE_OPTIONS.exec(line);
    if (source?.[2]) {
      names.push(source[2]);
      continue;
    }
    const editable = /^(-e|--editable)(?:\s*=?\s*|\s+)(\S+)/.exec(line);
    if (editable?.[2]) {
      const name = requirementName(editable[2]);
      if (name !== undefined) names.push(name);
      continue;
    }
    if (line.startsWith('-')) continue; // -r, -c and other options name no package
    const name = requirementName(line);
    if (name !== undefined) names.push(name);
  }
  return { ok: true, names };
}

function pyprojectNames(text: string): ReturnType<Reader> {
  const read = readToml(text);
  if (!read.ok) return read;
  const doc = read.value;
  const names: string[] = [];
  const strings = (value: TomlValue | undefined): void => {
    if (!Array.isArray(value)) return;
    for (const item of value) {
      const name = typeof item === 'string' ? requirementName(item) : undefined;
      if (name !== undefined) names.push(name);
    }
  };
  const project = table(doc.project);
  strings(project?.dependencies);
  for (const extra of Object.values(table(project?.['optional-dependencies']) ?? {})) strings(extra);
  for (const group of Object.values(table(doc['dependency-groups']) ?? {})) strings(group);
  strings(table(doc['build-system'])?.requires);
  const poetry = table(table(doc.tool)?.poetry);
  const poetryTables = [
    poetry?.dependencies,
    poetry?.['dev-dependencies'],
    ...Object.values(table(poetry?.group) ?? {}).map((group) => table(group)?.dependencies),
  ];
  for (const deps of poetryTables) {
    for (const [key, spec] of Object.entries(table(deps) ?? {})) {
      if (key.toLowerCase() === 'python') continue;
      const source = table(spec);
      if (source?.path !== undefined) continue;
      const remote = source?.git ?? source?.url;
      names.push(typeof remote === 'string' ? remote : key);
    }
  }
  uvAndPdm(table(doc.tool), strings, names);
  return { ok: true, names };
}

/**
 * uv's and PDM's own dependency lists, and what redirects any dependency to another source:
 * `[tool.uv.sources]` (git, url, path, a named index), `[[tool.uv.index]]`,
 * `[[tool.poetry.source]]`, `[[tool.pdm.source]]`. A source is named by its URL, or `key@…`.
 */
function uvAndPdm(
  tool: TomlTable | undefined,
  strings: (value: TomlValue | undefined) => void,
  names: string[],
) {
  const uv = table(tool?.uv);
  const pdm = table(tool?.pdm);
  for (const key of ['dev-dependencies', 'constraint-dependencies', 'override-dependencies'])
    strings(uv?.[key]);
  for (const group of Object.values(table(pdm?.['dev-dependencies']) ?? {})) strings(group);
  for (const [key, spec] of Object.entries(table(uv?.sources) ?? {})) {
    for (const source of Array.isArray(spec) ? spec : [spec]) {
      const detail = table(source);
      if (!detail || detail.workspace === 'true') continue;
      const where = detail.git ?? detail.url ?? detail.path ?? detail.index;
      names.push(`${key}@${typeof where === 'string' ? where : 'another source'}`);
    }
  }
  const poetry = table(tool?.poetry);
  for (const list of [uv?.index, poetry?.source, pdm?.source]) {
    for (const index of Array.isArray(list) ? list : []) {
      const url = table(index)?.url;
      if (typeof url === 'string') names.push(url);
    }
  }
  for (const key of ['index-url', 'extra-index-url', 'find-links']) {
    const value = uv?.[key];
    for (const url of Array.isArray(value) ? value : [value]) if (typeof url === 'string') names.push(url);
  }
}

function table(value: TomlValue | undefined): TomlTable | undefined {
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

// --- crates.io ---------------------------------------------------------------------------------

const CARGO_SECTIONS = [
  'dependencies',
  'dev-dependencies',
  'dev_dependencies',
  'build-dependencies',
  'build_dependencies',
];

function cargoNames(text: string): ReturnType<Reader> {
  const read = readToml(text);
  if (!read.ok) return read;
  const doc = read.value;
  const tables: Array<TomlTable | undefined> = [];
  const sectionsOf = (holder: TomlTable | undefined) => {
    for (const section of CARGO_SECTIONS) tables.push(table(holder?.[section]));
  };
  sectionsOf(doc);
  for (const target of Object.values(table(doc.target) ?? {})) sectionsOf(table(target));
  tables.push(table(table(doc.workspace)?.dependencies));
  // `[replace]` and `[patch.crates-io]` swap a crate for another source.
  tables.push(table(doc.replace));
  for (const patched of Object.values(table(doc.patch) ?? {})) tables.push(table(patched));
  const names: string[] = [];
  for (const deps of tables) {
    for (const [key, spec] of Object.entries(deps ?? {})) {
      const detail = table(spec);
      if (!detail) {
        names.push(key);
        continue;
      }
      if (detail.workspace === 'true') continue; // inherited from [workspace.dependencies]
      const name = typeof detail.package === 'string' ? detail.package : key;
      if (typeof detail.git === 'string') names.push(detail.git);
      else if (typeof detail.registry === 'string') names.push(`registry:${detail.registry}/${name}`);
      else if (typeof detail['registry-index'] === 'string') names.push(detail['registry-index']);
      else if (detail.path === undefined) names.push(name);
    }
  }
  return { ok: true, names };
}

// --- Go modules --------------------------------------------------------------------------------

function goModNames(text: string): ReturnType<Reader> {
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
