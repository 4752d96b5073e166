/**
 * A server world set up as a GitHub App against the loopback GitHub: one repository (the demo's,
 * whose sum() subtracts) with collaborators of every access level, the App's key beside the data,
 * `github:` in server.yaml routing the repository to team `default` under the default policy, and
 * one scripted model the route uses, rewritten before each trigger.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_REPO } from '../../src/cli/demo.ts';
import { type ServerWorld, serverWorld } from '../server.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';

export const APP_REPO = 'acme/invoices';

export interface GitHubWorld {
  world: ServerWorld;
  fake: FakeGitHub;
  /** What `warden serve` needs in its environment: the webhook secret. */
  env: Record<string, string>;
  useScript(turns: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export async function gitHubWorld(): Promise<GitHubWorld> {
  const world = await serverWorld();
  const fake = await startFakeGitHub({
    repositories: [
      {
        fullName: APP_REPO,
        seed: DEMO_REPO,
        collaborators: { alice: 'write', mallory: 'read', tess: 'triage' },
      },
    ],
  });
  const keyFile = join(world.data, 'github-app.pem');
  await writeFile(keyFile, fake.app.privateKeyPem, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  const script = join(world.scripts, 'github.json');
  const useScript = (turns: unknown[]) => writeFile(script, JSON.stringify({ turns }));
  await useScript([{ text: 'nothing to do' }]);
  await writeFile(
    join(world.data, 'server.yaml'),
    [
      `repositories: [${JSON.stringify(world.repos)}]`,
      `models: [${JSON.stringify(`script:${world.scripts}/*`)}]`,
      `default_model: ${JSON.stringify(`script:${script}`)}`,
      'concurrency: 2',
      'drain_timeout: 5',
      'github:',
      `  app_id: ${fake.app.id}`,
      `  private_key_file: ${JSON.stringify(keyFile)}`,
      `  api_url: ${JSON.stringify(fake.apiUrl)}`,
      `  web_url: ${JSON.stringify(fake.url)}`,
      '  repositories:',
      `    - { repository: ${APP_REPO}, team: default, policy: default }`,
    ].join('\n'),
  );
  return {
    world,
    fake,
    env: { WARDEN_GITHUB_WEBHOOK_SECRET: fake.app.webhookSecret },
    useScript,
    async close() {
      await fake.close();
      await world.cleanup();
    },
  };
}

/** The fix of the demo's bug, after looking at what the sandbox holds (no token, no key may be there). */
export const FIX_SUM = [
  { calls: [{ tool: 'shell', args: { command: 'cat .git/config /proc/self/environ' } }] },
  { calls: [{ tool: 'shell', args: { command: 'npm test' } }] },
  {
    calls: [
      {
        tool: 'edit_file',
        args: { path: 'src/sum.js', old_string: 'return a - b;', new_string: 'return a + b;' },
      },
    ],
  },
  { calls: [{ tool: 'shell', args: { command: 'npm test' } }] },
  { text: 'Fixed sum(): it subtracted. The tests pass.' },
];

/** The receipt a pull request body (or comment) publishes. */
export function receiptIn(body: string): unknown {
  const match = /<summary>receipt\.json<\/summary>\n\n```json\n([\s\S]*?)\n```/.exec(body);
  if (!match) throw new Error(`no receipt in:\n${body}`);
  return JSON.parse(match[1] as string);
}
