/**
 * Files that hold a test runner's settings among other things: a `package.json`'s `scripts` (what
 * `npm test` runs) beside its dependencies, pytest's section of `pyproject.toml`, `setup.cfg` or
 * `tox.ini` (its `addopts` can load a plugin the contestant wrote, `-p myplugin`) beside packaging
 * metadata. The runner's part is put back as the graded tree has it, or removed when it has none;
 * the rest stays the contestant's, since a fix may need it.
 */

/** The contestant's text with the runner's part taken from `graded` (undefined: the graded tree has no such file). */
export type SettingsMerge = (mine: string, graded: string | undefined) => string | 'same' | 'unreadable';

const pytestSections = (headers: readonly string[]): SettingsMerge => {
  const wanted = new Set(headers);
  return (mine, graded) => withSections(mine, graded ?? '', (header) => wanted.has(header));
};

/** By file name, wherever in the tree (pytest reads these from the tests' directory upwards). */
export const RUNNER_SETTINGS: ReadonlyMap<string, SettingsMerge> = new Map([
  ['package.json', withScripts],
  ['pyproject.toml', pytestSections(['tool.pytest.ini_options', 'tool.pytest'])],
  ['setup.cfg', pytestSections(['tool:pytest'])],
  ['tox.ini', pytestSections(['pytest'])],
]);

function withScripts(mine: string, graded: string | undefined): string | 'same' | 'unreadable' {
  const parse = (text: string): Record<string, unknown> | undefined => {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };
  const ours = parse(mine);
  const theirs = graded === undefined ? {} : parse(graded);
  if (ours === undefined || theirs === undefined) return 'unreadable';
  if (JSON.stringify(ours.scripts) === JSON.stringify(theirs.scripts)) return 'same';
  const { scripts: _dropped, ...rest } = ours;
  return `${JSON.stringify(theirs.scripts === undefined ? rest : { ...rest, scripts: theirs.scripts }, null, 2)}\n`;
}

/** `[name]` at the start of a line: an INI section or a TOML table header. */
const HEADER = /^\[\s*([^\]\s][^\]]*?)\s*\]\s*(?:[#;].*)?$/;

interface Section {
  header: string;
  lines: string[];
}

function sections(text: string): Section[] {
  const found: Section[] = [{ header: '', lines: [] }];
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line)?.[1];
    if (header !== undefined) found.push({ header, lines: [line] });
    else found[found.length - 1]?.lines.push(line);
  }
  return found;
}

/**
 * `mine` with every section `wanted` picks replaced by `graded`'s: where mine had the first of
 * them, or at the end when mine had none. Line-based, so a file neither side can parse still merges.
 */
function withSections(mine: string, graded: string, wanted: (header: string) => boolean): string | 'same' {
  const ours = sections(mine);
  const theirs = sections(graded).filter((section) => wanted(section.header));
  const text = (list: Section[]) => list.flatMap((section) => section.lines).join('\n');
  if (text(ours.filter((section) => wanted(section.header))) === text(theirs)) return 'same';
  const at = ours.findIndex((section) => wanted(section.header));
  const kept = ours.filter((section) => !wanted(section.header));
  const place = at < 0 ? kept.length : ours.slice(0, at).filter((section) => !wanted(section.header)).length;
  return text([...kept.slice(0, place), ...theirs, ...kept.slice(place)]);
}
