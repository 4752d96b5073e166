import { createBashParser } from '../policy/bash-parser.ts';
import { moveConfigCredentials } from './config-credentials.ts';
import { credentialsFromConfig } from './credential-config.ts';
import { type CredentialStore, createCredentialStore } from './credentials.ts';
import { createGitPushBroker, type GitPushBroker } from './git-push.ts';
import { createPullRequestBroker, type PullRequestBroker } from './pull-request.ts';
import { type MovedCredential, moveRemoteCredentials } from './remote-credentials.ts';

/** The broker of one session: the credentials it holds and the acts it makes with them. */
export interface SessionBroker {
  credentials: CredentialStore;
  push: GitPushBroker;
  pullRequests: PullRequestBroker;
  /** Credentials taken out of `.git/config` at the start (URLs, headers, helpers), for the record (no values). */
  moved: MovedCredential[];
}

/**
 * Opens the broker before anything runs in the sandbox: the user's declared credentials, then
 * every credential found in the workspace's `.git/config` (remote and submodule URLs, HTTP headers,
 * inline credential helpers, URL rewrites), moved out of it.
 */
export async function openSessionBroker(options: {
  root: string;
  env: NodeJS.ProcessEnv;
  /** The session's redactor: what the broker publishes for the model (a pull request's text) passes it. */
  redact: (text: string) => string;
  /** The `credentials:` section of the user's own config (never the repository's). */
  userConfig?: UserCredentialsSection;
}): Promise<SessionBroker> {
  const credentials = configuredCredentials(options.env, options.userConfig);
  const moved = [
    ...(await moveRemoteCredentials(options.root, credentials)),
    ...(await moveConfigCredentials(options.root, credentials)),
  ];
  const parse = await createBashParser();
  const push = await createGitPushBroker({ root: options.root, credentials, parse });
  const pullRequests = await createPullRequestBroker({
    root: options.root,
    credentials,
    parse,
    redact: options.redact,
  });
  return { credentials, push, pullRequests, moved };
}

/** The `credentials:` section of the user's own config, with where its keys are for messages. */
export interface UserCredentialsSection {
  section: unknown;
  source: string;
  where: (path: readonly PropertyKey[]) => string;
}

/** The credentials the user declared, held by a new store (tokens from the environment). */
export function configuredCredentials(
  env: NodeJS.ProcessEnv,
  userConfig: UserCredentialsSection | undefined,
): CredentialStore {
  const configured = userConfig
    ? credentialsFromConfig(userConfig.section, env, userConfig.where, userConfig.source)
    : { credentials: [], missing: [] };
  const credentials = createCredentialStore(configured.missing);
  for (const credential of configured.credentials) credentials.add(credential);
  return credentials;
}
