#!/usr/bin/env node
// Warden needs Node 24 (it runs its TypeScript sources directly). When started by an older Node,
// hand over to the Node 24 that `npm ci` installed beside it rather than fail.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const bundled = fileURLToPath(
    new URL(`../node_modules/node-linux-${process.arch}/bin/node`, import.meta.url),
  );
  if (!existsSync(bundled)) {
    process.stderr.write(
      `warden: needs Node 24 or newer (this is ${process.version}); run scripts/setup.sh\n`,
    );
    process.exit(2);
  }
  // The terminal sends Ctrl-C to both processes; only the child decides what it means (stop after
  // the current step, write the report), so this one must outlive it to pass on its exit status.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
  const child = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}

// Caches stripped TypeScript and V8 code between runs: start-up is mostly compiling our own
// sources. The cache lives beside the install, not in a shared /tmp another user could seed.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.(fileURLToPath(new URL('../node_modules/.cache/warden-compile', import.meta.url)));

const { main, processIo } = await import('../src/cli/main.ts');
// The reader of stdout went away (`warden exec --json | head`): stop as Ctrl-C would, so a running
// session ends recorded and resumable instead of dying mid-write. Later write errors are moot.
let readerGone = false;
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  if (readerGone) return;
  readerGone = true;
  process.kill(process.pid, 'SIGINT');
});
process.exitCode = await main(process.argv.slice(2), processIo());
