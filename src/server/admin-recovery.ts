import { join } from 'node:path';
import { openBackend } from './backend.ts';
import { newAdminToken } from './bootstrap.ts';
import { loadServerConfig } from './config.ts';
import { secureDataDir } from './data-dir.ts';

/**
 * `warden serve --new-admin-token`: a new token for `admin`, for when the first one was lost. Only
 * whoever owns the data directory can run it (its files are 0600/0700 and another user's directory
 * is refused), which is whoever could read the database anyway.
 */
export async function recoverAdminToken(options: {
  dataDir: string;
  configFile?: string;
  databaseUrl?: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<string> {
  secureDataDir(options.dataDir);
  const config = loadServerConfig(options.configFile ?? join(options.dataDir, 'server.yaml'), {});
  const backend = await openBackend({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    config,
    concurrency: 0,
    role: 'server',
    env: options.env,
    log: options.log,
  });
  try {
    return await newAdminToken(
      backend.accounts,
      options.dataDir,
      `recovery token ${new Date().toISOString()}`,
    );
  } finally {
    await backend.close();
  }
}
