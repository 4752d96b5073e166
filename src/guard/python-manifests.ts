import {
  items,
  type ManifestNames,
  readManifestToml,
  type TomlTable,
  type TomlValue,
  table,
} from './manifest-toml.ts';

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

export function requirementsNames(text: string): ManifestNames {
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

/**
 * The packages a pyproject.toml names: PEP 621 `project.dependencies` and
 * `optional-dependencies`, PEP 735 `dependency-groups`, `build-system.requires`, Poetry's
 * dependency tables and groups, and uv's and PDM's own lists and sources.
 */
export function pyprojectNames(text: string): ManifestNames {
  const read = readManifestToml(text);
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
  const tool = table(doc.tool);
  poetryNames(table(tool?.poetry), names);
  uvAndPdm(tool, strings, names);
  return { ok: true, names };
}

/**
 * Poetry's `dependencies`, `dev-dependencies` and `group.*.dependencies`. A spec is a version,
 * a table, or a list of tables (one per Python version or platform), each of which may name a
 * git or URL source of its own.
 */
function poetryNames(poetry: TomlTable | undefined, names: string[]): void {
  const sections = [
    poetry?.dependencies,
    poetry?.['dev-dependencies'],
    ...Object.values(table(poetry?.group) ?? {}).map((group) => table(group)?.dependencies),
  ];
  for (const deps of sections) {
    for (const [key, spec] of Object.entries(table(deps) ?? {})) {
      if (key.toLowerCase() === 'python') continue;
      for (const constraint of items(spec)) {
        const source = table(constraint);
        if (source?.path !== undefined) continue;
        const remote = source?.git ?? source?.url;
        names.push(typeof remote === 'string' ? remote : key);
      }
    }
  }
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
    for (const source of items(spec)) {
      const detail = table(source);
      if (!detail || detail.workspace === true) continue;
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
  for (const key of ['index-url', 'extra-index-url', 'find-links'])
    for (const url of items(uv?.[key])) if (typeof url === 'string') names.push(url);
}
