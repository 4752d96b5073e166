import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WardenError } from '../errors.ts';
import type { Credential } from './credentials.ts';

/**
 * A git credential helper that answers from its own environment, and only for the one protocol
 * and host it was started for. The token reaches git through the environment of that one git
 * process (not argv, which every local user can list, and not a file): the script holds no
 * value. Git tells the helper the host it is about to send to, so a URL rewritten by `insteadOf`
 * or a redirect to another host gets nothing.
 */
const SCRIPT = `#!/bin/sh
[ "$1" = get ] || exit 0
protocol= host=
while IFS= read -r line && [ -n "$line" ]; do
  case "$line" in
    protocol=*) protocol=\${line#protocol=} ;;
    host=*) host=\${line#host=} ;;
  esac
done
[ "$protocol" = "$WARDEN_CREDENTIAL_PROTOCOL" ] && [ "$host" = "$WARDEN_CREDENTIAL_HOST" ] || exit 0
printf 'username=%s\\npassword=%s\\n' "$WARDEN_CREDENTIAL_USERNAME" "$WARDEN_CREDENTIAL_PASSWORD"
`;

export interface HelperSetup {
  /** `-c` settings for git: every configured helper dropped, then ours. */
  args: string[];
  /** For the git child only. */
  env: Record<string, string>;
}

/**
 * Runs `use` with git settings that supply `credential` for `url`, then removes the helper. The
 * helper lives in a private temporary directory, outside the workspace.
 */
export async function withCredentialHelper<T>(
  credential: Credential,
  url: string,
  use: (setup: HelperSetup) => Promise<T>,
): Promise<T> {
  // The credential protocol is lines of key=value: a newline in a value would add keys of its own.
  if (/[\n\r\0]/.test(credential.username + credential.password)) {
    throw new WardenError('broker.credential', `credential "${credential.name}" has a line break in it`, {
      hint: `check ${credential.origin}`,
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'warden-credential-'));
  try {
    const helper = join(dir, 'helper');
    // Git runs a helper through `sh -c "<path> get"`: the path must read as one plain word.
    if (!/^[A-Za-z0-9/._-]+$/.test(helper)) {
      throw new WardenError(
        'broker.helper',
        `the temporary directory ${dir} has characters a shell would read`,
        {
          hint: 'set TMPDIR to a plain path such as /tmp',
        },
      );
    }
    await writeFile(helper, SCRIPT, { mode: 0o700 });
    await chmod(helper, 0o700);
    const target = new URL(url);
    return await use({
      args: ['-c', 'credential.helper=', '-c', `credential.helper=${helper}`, '-c', 'core.askPass='],
      env: {
        WARDEN_CREDENTIAL_PROTOCOL: target.protocol.replace(/:$/, ''),
        WARDEN_CREDENTIAL_HOST: target.host,
        WARDEN_CREDENTIAL_USERNAME: credential.username,
        WARDEN_CREDENTIAL_PASSWORD: credential.password,
      },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Settings for a push that carries no credential: no helper or prompt may supply one. */
export const NO_CREDENTIAL_ARGS = ['-c', 'credential.helper=', '-c', 'core.askPass='];
