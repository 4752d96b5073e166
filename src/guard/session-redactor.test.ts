import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dotenvFiles, sessionRedactor } from './session-redactor.ts';

test('.env files anywhere in the workspace are known to the redactor; dependencies, .git and links are not searched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-dotenv-'));
  try {
    const root = join(dir, 'repo');
    const outside = join(dir, 'outside');
    await mkdir(join(root, 'apps', 'api', 'config'), { recursive: true });
    await mkdir(join(root, 'node_modules', 'pkg'), { recursive: true });
    await mkdir(join(root, '.git'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(root, '.env'), 'ROOT_PASS=rootValue-0001\n');
    await writeFile(join(root, 'apps', 'api', '.env.local'), 'API_PASS="apiValue-0002"\n');
    await writeFile(join(root, 'apps', 'api', 'config', '.env'), 'DEEP=deepValue-0003\n');
    await writeFile(join(root, 'node_modules', 'pkg', '.env'), 'DEP=depValue-0004\n');
    await writeFile(join(root, '.git', '.env'), 'GIT=gitValue-0005\n');
    await writeFile(join(outside, '.env'), 'OUT=outValue-0006\n');
    await symlink(outside, join(root, 'linked'));
    await symlink(join(outside, '.env'), join(root, 'apps', '.env.linked'));

    const files = (await dotenvFiles(root)).map((f) => f.slice(root.length + 1)).sort();
    assert.deepEqual(files, ['.env', 'apps/api/.env.local', 'apps/api/config/.env']);
    const redactor = await sessionRedactor(root, {});
    const out = redactor.redact('rootValue-0001 apiValue-0002 deepValue-0003 depValue-0004 outValue-0006');
    assert.equal(
      out,
      '«secret:env-file#1» «secret:env-file#2» «secret:env-file#3» depValue-0004 outValue-0006',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
