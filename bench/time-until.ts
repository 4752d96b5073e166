import { spawn } from 'node:child_process';

/**
 * Time from spawning `argv` until a stdout line satisfies `ready` (or the process exits). `env`
 * replaces the environment when given (a bench that must not read the user's config).
 */
export function timeUntil(
  argv: string[],
  ready: (line: string) => boolean,
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; stderr?: 'inherit' | 'ignore' } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0] ?? '', argv.slice(1), {
      cwd,
      stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
      ...(options.env ? { env: options.env } : {}),
    });
    let buffered = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(performance.now() - started);
      child.kill('SIGKILL');
    };
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      if (lines.some(ready)) finish();
    });
    child.on('exit', finish);
    child.on('error', reject);
  });
}
