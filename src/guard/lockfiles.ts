import { posix } from 'node:path';

/** Files that pin where each package comes from: an install trusts them without a question. */
const LOCKFILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
  'poetry.lock',
  'uv.lock',
  'pdm.lock',
  'Pipfile.lock',
  'Cargo.lock',
  'go.sum',
  'go.work',
  'go.work.sum',
]);

/** Configuration that sets a package tool's registry or index for this repository. */
const SOURCE_CONFIG = new Set([
  '.yarnrc',
  '.yarnrc.yml',
  'bunfig.toml',
  'pip.conf',
  'uv.toml',
  '.pnpmfile.cjs',
]);

/**
 * Why a write to this file decides what later installs fetch, or undefined. A lockfile's
 * `resolved` URL or hash, edited by hand, makes `npm ci` (or `cargo build`, `uv sync`) install
 * whatever it names with no dependency check, so such an edit is a person's call.
 */
export function packageSourceFile(path: string): string | undefined {
  const normal = posix.normalize(path.split('\\').join('/'));
  const base = posix.basename(normal);
  if (LOCKFILES.has(base))
    return `${path} is a lockfile: an edit can point any package at another source or version, and the next install (npm ci, uv sync, cargo build, go build) would fetch it unchecked; lockfiles should change only by running the package tool`;
  const cargoConfig = /(^|\/)\.cargo\/config(\.toml)?$/.test(normal);
  if (SOURCE_CONFIG.has(base) || cargoConfig)
    return `${path} configures where packages come from: an edit can send every install to another registry`;
  return undefined;
}
