import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { registryEndpoints, type TrustedConfig } from '../broker/registry-config.ts';
import { createRegistryLookup } from '../broker/registry-lookup.ts';
import { createDependencyCheck, type DependencyCheck } from '../guard/dependency-check.ts';
import { CONFIG_FILE_NAMES, readConfigLayer, userConfigDir } from '../models/config.ts';
import type { Policy } from '../policy/types.ts';

/**
 * The session's dependency check: registries from the environment or the user's own config file
 * (never the repository's), thresholds from the policy, answers kept for the session.
 */
export function sessionDependencyCheck(policy: Policy, env: NodeJS.ProcessEnv): DependencyCheck {
  const lookup = createRegistryLookup({ endpoints: registryEndpoints(env, userConfig(env)) });
  const rules = policy.dependencies;
  return createDependencyCheck({
    lookup: (ecosystem, name) => lookup.lookup(ecosystem, name),
    thresholds: {
      ...(rules?.minAgeDays === undefined ? {} : { minAgeDays: rules.minAgeDays }),
      ...(rules?.minWeeklyDownloads === undefined ? {} : { minWeeklyDownloads: rules.minWeeklyDownloads }),
    },
  });
}

function userConfig(env: NodeJS.ProcessEnv): TrustedConfig | undefined {
  const dir = userConfigDir(env);
  const file = CONFIG_FILE_NAMES.map((name) => join(dir, name)).find((path) => existsSync(path));
  return file === undefined ? undefined : readConfigLayer(file, 'user');
}
