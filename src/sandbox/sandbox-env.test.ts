import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSandboxEnv, isDangerousEnvName } from './sandbox-env.ts';

describe('buildSandboxEnv', () => {
  it('starts from a fixed allow-list, not from the process environment', () => {
    const { env } = buildSandboxEnv({ path: '/node/bin:/usr/bin' });
    assert.deepEqual(env, {
      PATH: '/node/bin:/usr/bin',
      HOME: '/home/warden',
      USER: 'warden',
      LOGNAME: 'warden',
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TERM: 'dumb',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_PAGER: 'cat',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'safe.bareRepository',
      GIT_CONFIG_VALUE_0: 'explicit',
      npm_config_ignore_scripts: 'true',
      YARN_ENABLE_SCRIPTS: 'false',
    });
  });

  it('turns install scripts off unless told otherwise, and no layer can turn them back on', () => {
    const { env, dropped } = buildSandboxEnv({
      path: '/usr/bin',
      operator: { YARN_ENABLE_SCRIPTS: 'true' },
      request: { npm_config_ignore_scripts: 'false', NPM_CONFIG_IGNORE_SCRIPTS: 'false' },
    });
    assert.equal(env.npm_config_ignore_scripts, 'true');
    assert.equal(env.NPM_CONFIG_IGNORE_SCRIPTS, undefined);
    assert.equal(env.YARN_ENABLE_SCRIPTS, 'false');
    assert.deepEqual(dropped.sort(), [
      'NPM_CONFIG_IGNORE_SCRIPTS',
      'YARN_ENABLE_SCRIPTS',
      'npm_config_ignore_scripts',
    ]);
    const allowed = buildSandboxEnv({ path: '/usr/bin', installScripts: true }).env;
    assert.equal(allowed.npm_config_ignore_scripts, undefined);
    assert.equal(allowed.YARN_ENABLE_SCRIPTS, undefined);
  });

  it('drops code-injecting variables from both the operator and the request', () => {
    const injected = {
      LD_PRELOAD: '/tmp/evil.so',
      LD_LIBRARY_PATH: '/tmp',
      LD_AUDIT: '/tmp/a.so',
      BASH_ENV: '/tmp/rc',
      ENV: '/tmp/rc',
      NODE_OPTIONS: '--require ./evil.js',
      PYTHONSTARTUP: '/tmp/s.py',
      PERL5OPT: '-Mevil',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.fsmonitor',
      GIT_SSH_COMMAND: 'sh -c evil',
      'BASH_FUNC_ls%%': '() { evil; }',
      npm_config_ignore_scripts: 'false',
      JAVA_TOOL_OPTIONS: '-javaagent:/tmp/a.jar',
    };
    const { env, dropped } = buildSandboxEnv({
      path: '/usr/bin',
      operator: injected,
      request: injected,
      installScripts: true,
    });
    // Dropped, or (git's command-line config) replaced by the sandbox's own fixed settings.
    for (const name of Object.keys(injected))
      if (!name.startsWith('GIT_CONFIG_')) assert.equal(env[name], undefined, name);
    assert.deepEqual([env.GIT_CONFIG_COUNT, env.GIT_CONFIG_KEY_0], ['1', 'safe.bareRepository']);
    assert.equal(dropped.length, Object.keys(injected).length * 2);
  });

  it('lets the request add ordinary variables but not move PATH, HOME or TMPDIR', () => {
    const { env, dropped } = buildSandboxEnv({
      path: '/node/bin:/usr/bin',
      request: { CI: '1', PATH: '/srv/ws/evil-bin', HOME: '/srv/ws', TMPDIR: '/srv/ws' },
    });
    assert.equal(env.CI, '1');
    assert.equal(env.PATH, '/node/bin:/usr/bin');
    assert.equal(env.HOME, '/home/warden');
    assert.equal(env.TMPDIR, '/tmp');
    assert.deepEqual(dropped.sort(), ['HOME', 'PATH', 'TMPDIR']);
  });

  it('lets the operator set PATH, and the request override the operator on ordinary names', () => {
    const { env } = buildSandboxEnv({
      path: '/usr/bin',
      operator: { PATH: '/opt/tool/bin:/usr/bin', MODE: 'operator' },
      request: { MODE: 'request' },
    });
    assert.equal(env.PATH, '/opt/tool/bin:/usr/bin');
    assert.equal(env.MODE, 'request');
  });

  it('drops malformed names and values that would corrupt the argument stream', () => {
    const { env, dropped } = buildSandboxEnv({
      path: '/usr/bin',
      request: { 'A=B': 'x', '': 'x', 'WITH SPACE': 'x', NUL: 'a\0b', OK: 'fine' },
    });
    assert.equal(env.OK, 'fine');
    assert.deepEqual(dropped.sort(), ['', 'A=B', 'NUL', 'WITH SPACE']);
  });
});

describe('isDangerousEnvName', () => {
  const cases: [string, boolean][] = [
    ['LD_PRELOAD', true],
    ['ld_preload', true],
    ['LD_BIND_NOW', true],
    ['GIT_DIR', true],
    ['NPM_CONFIG_USERCONFIG', true],
    ['NODE_OPTIONS', true],
    ['PS4', true],
    ['IFS', true],
    ['NODE_ENV', false],
    ['CI', false],
    ['LANG', false],
    ['GITHUB_ACTIONS', false],
  ];
  for (const [name, dangerous] of cases) {
    it(`${name} → ${dangerous ? 'dropped' : 'kept'}`, () =>
      assert.equal(isDangerousEnvName(name), dangerous));
  }
});
