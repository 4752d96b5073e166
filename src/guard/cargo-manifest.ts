import { type ManifestNames, readManifestToml, type TomlTable, table } from './manifest-toml.ts';

const SECTIONS = [
  'dependencies',
  'dev-dependencies',
  'dev_dependencies',
  'build-dependencies',
  'build_dependencies',
];

/**
 * The crates a Cargo.toml names, in every table Cargo reads them from: the three dependency
 * sections (and their old `_` spellings), the same under each `[target.'cfg(…)']`,
 * `[workspace.dependencies]`, and `[replace]` / `[patch.*]`, which swap a crate for another
 * source. A crate from git or another registry is named by that source.
 */
export function cargoNames(text: string): ManifestNames {
  const read = readManifestToml(text);
  if (!read.ok) return read;
  const doc = read.value;
  const tables: Array<TomlTable | undefined> = [];
  const sectionsOf = (holder: TomlTable | undefined) => {
    for (const section of SECTIONS) tables.push(table(holder?.[section]));
  };
  sectionsOf(doc);
  for (const target of Object.values(table(doc.target) ?? {})) sectionsOf(table(target));
  tables.push(table(table(doc.workspace)?.dependencies));
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
      if (detail.workspace === true) continue; // inherited from [workspace.dependencies]
      const name = typeof detail.package === 'string' ? detail.package : key;
      if (typeof detail.git === 'string') names.push(detail.git);
      else if (typeof detail.registry === 'string') names.push(`registry:${detail.registry}/${name}`);
      else if (typeof detail['registry-index'] === 'string') names.push(detail['registry-index']);
      else if (detail.path === undefined) names.push(name);
    }
  }
  return { ok: true, names };
}
