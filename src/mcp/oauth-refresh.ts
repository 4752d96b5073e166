import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { OAuthTokensSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { KnownSecrets } from './oauth-provider.ts';
import { oauthSecrets, oauthStateFile, readOAuthState, writeOAuthState } from './oauth-state.ts';

/** A lock older than this was left by a process that died mid-refresh. */
const STALE_LOCK_MS = 30_000;
const POLL_MS = 20;

/**
 * Refreshes of one server's tokens, one at a time across every session and process of the user.
 * Authorization servers rotate refresh tokens (each is good once): two sessions refreshing with
 * the same one would leave the second refused and signed out. So a refresh request from the SDK
 * waits for the user's lock; if another session rotated the token meanwhile, it is answered with
 * the tokens that session stored instead of spending a dead one; otherwise it goes to the server,
 * and the new tokens are stored before the lock is let go.
 */
export function serializedRefresh(
  inner: FetchLike,
  options: { dir: string; server: string; known: KnownSecrets; now: () => number },
): FetchLike {
  const { dir, server } = options;
  return async (input, init) => {
    const body = init?.body instanceof URLSearchParams ? init.body : undefined;
    const sent = body?.get('grant_type') === 'refresh_token' ? body.get('refresh_token') : null;
    if (sent === null) return inner(input, init);
    return withLock(`${oauthStateFile(dir, server)}.lock`, async () => {
      const state = await readOAuthState(dir, server);
      const stored = state?.tokens;
      if (stored?.refresh_token && stored.refresh_token !== sent) {
        const { issuer: _, ...wire } = stored;
        const expiresIn =
          state?.expiresAt === undefined
            ? undefined
            : Math.max(0, Math.floor((state.expiresAt - options.now()) / 1000));
        return Response.json({ ...wire, ...(expiresIn === undefined ? {} : { expires_in: expiresIn }) });
      }
      const response = await inner(input, init);
      if (!response.ok || !state) return response;
      const parsed = OAuthTokensSchema.safeParse(
        await response
          .clone()
          .json()
          .catch(() => undefined),
      );
      if (!parsed.success) return response;
      const tokens = {
        refresh_token: sent,
        ...parsed.data,
        ...(stored?.issuer ? { issuer: stored.issuer } : {}),
      };
      options.known(oauthSecrets({ url: state.url, tokens }));
      const expiresAt =
        tokens.expires_in === undefined ? undefined : options.now() + tokens.expires_in * 1000;
      await writeOAuthState(dir, server, { ...state, tokens, expiresAt });
      return response;
    });
  };
}

async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(path, { force: true });
      else await sleep(POLL_MS);
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}
