import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AutocompleteItem,
  type AutocompleteProvider,
  type AutocompleteSuggestions,
  CombinedAutocompleteProvider,
  fuzzyFilter,
  type SlashCommand,
} from '@mariozechner/pi-tui';
import { git } from '../../broker/git.ts';

const MAX_FILES = 20_000;
const MAX_SUGGESTIONS = 20;
const FRESH_MS = 5000;

/**
 * The prompt's completion: slash commands (the library's), and `@path` of the workspace's files —
 * tracked and untracked, not ignored, never one the policy hides — matched fuzzily.
 */
export class PromptCompletion implements AutocompleteProvider {
  readonly #inner: CombinedAutocompleteProvider;
  readonly #root: string;
  readonly #hidden: (path: string) => boolean;
  #files: { at: number; list: Promise<string[]> } | undefined;

  constructor(commands: SlashCommand[], root: string, hidden: (path: string) => boolean) {
    this.#inner = new CombinedAutocompleteProvider(commands, root);
    this.#root = root;
    this.#hidden = hidden;
  }

  async getSuggestions(
    lines: string[],
    cursorLine: number,
    cursorCol: number,
    options: { signal: AbortSignal; force?: boolean },
  ): Promise<AutocompleteSuggestions | null> {
    const before = (lines[cursorLine] ?? '').slice(0, cursorCol);
    const at = /(?:^|\s)@([^\s@]*)$/.exec(before);
    if (!at) return this.#inner.getSuggestions(lines, cursorLine, cursorCol, options);
    const query = at[1] ?? '';
    const files = await this.files();
    if (options.signal.aborted) return null;
    const matches = query ? fuzzyFilter(files, query, (path) => path) : files;
    const items: AutocompleteItem[] = matches.slice(0, MAX_SUGGESTIONS).map((path) => ({
      value: `@${path}`,
      label: path,
    }));
    return items.length > 0 ? { items, prefix: `@${query}` } : null;
  }

  applyCompletion(
    lines: string[],
    cursorLine: number,
    cursorCol: number,
    item: AutocompleteItem,
    prefix: string,
  ) {
    return this.#inner.applyCompletion(lines, cursorLine, cursorCol, item, prefix);
  }

  shouldTriggerFileCompletion(lines: string[], cursorLine: number, cursorCol: number): boolean {
    return this.#inner.shouldTriggerFileCompletion(lines, cursorLine, cursorCol);
  }

  /** The workspace's files, listed at most every few seconds. */
  files(): Promise<string[]> {
    const now = Date.now();
    if (!this.#files || now - this.#files.at > FRESH_MS) {
      this.#files = { at: now, list: this.#list() };
    }
    return this.#files.list;
  }

  async #list(): Promise<string[]> {
    const listed = await git(this.#root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
    const files =
      listed.code === 0
        ? [...new Set(listed.stdout.split('\0').filter(Boolean))]
        : await walk(this.#root, '');
    return files.filter((path) => !this.#hidden(path)).slice(0, MAX_FILES);
  }
}

/** Outside git: the directory's files, without the usual bulky or private directories. */
async function walk(root: string, dir: string, out: string[] = []): Promise<string[]> {
  if (out.length >= MAX_FILES) return out;
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!['.git', '.warden', 'node_modules'].includes(entry.name)) await walk(root, path, out);
    } else if (entry.isFile()) out.push(path);
  }
  return out;
}
