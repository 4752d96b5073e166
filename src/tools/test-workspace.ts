import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunRequest, RunResult, Sandbox } from '../sandbox/types.ts';
import { createWorkspace } from '../sandbox/workspace.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import type { ToolContext } from './types.ts';

/*
 * For the tools' tests: a real workspace in a temp directory and a fake sandbox, in a few lines.
 */

export interface FakeSandbox extends Sandbox {
  requests: RunRequest[];
}

/** A sandbox that records what it was asked to run and answers with `respond`'s result. */
export function fakeSandbox(
  respond: (request: RunRequest) => Partial<RunResult> | Promise<Partial<RunResult>> = () => ({}),
): FakeSandbox {
  const requests: RunRequest[] = [];
  return {
    kind: 'fake',
    requests,
    async run(request) {
      requests.push(request);
      const answer = await respond(request);
      return {
        exitCode: 0,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        truncated: false,
        durationMs: 5,
        ...answer,
      };
    },
  };
}

export interface TestWorkspace {
  root: string;
  /** A directory beside the root, outside the workspace, for escape attempts. */
  outside: string;
  workspace: Workspace;
  context: ToolContext;
  /** A file's bytes as text, straight from disk. */
  read(path: string): Promise<string>;
  write(path: string, content: string | Uint8Array): Promise<void>;
  cleanup(): Promise<void>;
}

export async function makeTestWorkspace(
  files: Record<string, string | Uint8Array> = {},
  sandbox: Sandbox = fakeSandbox(),
): Promise<TestWorkspace> {
  const base = await mkdtemp(join(tmpdir(), 'warden-tools-'));
  const root = join(base, 'repo');
  const outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  const write = async (path: string, content: string | Uint8Array): Promise<void> => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  };
  for (const [path, content] of Object.entries(files)) await write(path, content);
  const workspace = await createWorkspace(root);
  return {
    root: workspace.root,
    outside,
    workspace,
    context: { workspace, sandbox, signal: new AbortController().signal },
    read: (path) => readFile(join(root, path), 'utf8'),
    write,
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}
