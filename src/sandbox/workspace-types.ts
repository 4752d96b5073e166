import type { Stats } from 'node:fs';

export interface DirEntry {
  name: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
}

/**
 * The workspace as the file tools see it. Every path is relative to the root; an implementation
 * refuses any path whose real location leaves the root.
 */
export interface Workspace {
  readonly root: string;
  /** The absolute real path for a workspace-relative path, refusing escapes. */
  resolve(path: string): Promise<string>;
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  stat(path: string): Promise<Stats | undefined>;
  readdir(path: string): Promise<DirEntry[]>;
}
