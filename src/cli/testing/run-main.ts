import { main } from '../main.ts';

/** Runs a `warden` command in this process, as a script would, its output captured. */
export async function runMain(
  argv: string[],
  where: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    cwd: where.cwd,
    env: where.env ?? {},
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    stdoutIsTty: false,
    stdin: process.stdin,
    stdinIsTty: false,
  });
  return { code, out, err };
}
