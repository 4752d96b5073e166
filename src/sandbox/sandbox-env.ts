import { SANDBOX_HOME, SANDBOX_TMP, SANDBOX_USER } from './bwrap-args.ts';

/**
 * The sandbox's environment: built from nothing, never inherited. Command rules judge argv, so a
 * variable that makes an allowed program run other code (`NODE_OPTIONS=--require ./x npm test`)
 * would slip past them: those names are dropped whoever passes them.
 */

/** Names that inject code or configuration into whatever runs next. */
const DANGEROUS_NAMES = new Set([
  // glibc: loader and libc paths (the same names it ignores for setuid programs).
  'GCONV_PATH',
  'GETCONF_DIR',
  'HOSTALIASES',
  'LOCALDOMAIN',
  'LOCPATH',
  'MALLOC_TRACE',
  'NLSPATH',
  'RESOLV_HOST_CONF',
  'RES_OPTIONS',
  'TZDIR',
  // Shells: startup files, traced prompts and word splitting run or reshape code.
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'PROMPT_COMMAND',
  'IFS',
  'CDPATH',
  'GLOBIGNORE',
  // Node.
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_REPL_EXTERNAL_MODULE',
  'NODE_TLS_REJECT_UNAUTHORIZED',
  // Python, Perl, Ruby, the JVM.
  'PYTHONSTARTUP',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONINSPECT',
  'PYTHONUSERBASE',
  'PYTHONBREAKPOINT',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'PERL5DB',
  'RUBYOPT',
  'RUBYLIB',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  // Programs other tools run on the user's behalf.
  'EDITOR',
  'VISUAL',
  'PAGER',
  'SSH_ASKPASS',
  'SUDO_ASKPASS',
]);

/**
 * Prefixes of dangerous families: the dynamic loader (LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH…),
 * git's config and program overrides (GIT_CONFIG_*, GIT_SSH_COMMAND, GIT_EXEC_PATH…), exported
 * bash functions that replace commands, and npm config (npm_config_ignore_scripts=false…).
 */
const DANGEROUS_PREFIXES = ['LD_', 'DYLD_', 'GIT_', 'BASH_FUNC_', 'NPM_CONFIG_'];

/** Set by the sandbox itself; a command's own request may not move HOME or PATH elsewhere. */
const RESERVED_NAMES = new Set(['PATH', 'HOME', 'TMPDIR', 'USER', 'LOGNAME']);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for a variable that may never reach the sandbox. Case-insensitive: npm reads either case. */
export function isDangerousEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return DANGEROUS_NAMES.has(upper) || DANGEROUS_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

export interface SandboxEnvInput {
  /** The PATH the sandbox uses, Warden's Node directory first. */
  path: string;
  /** From the operator's configuration: trusted, but still filtered. */
  operator?: Record<string, string>;
  /** From the command request, which the model shaped. */
  request?: Record<string, string>;
  /** Let package managers run install scripts; off unless the policy says so. */
  installScripts?: boolean;
}

/**
 * Install scripts off for the JavaScript package managers: npm and pnpm read
 * `npm_config_ignore_scripts` (`npm test` and `npm run x` still run the script asked for, not its
 * pre/post hooks), Yarn 1 reads it too, Yarn 2+ reads `YARN_ENABLE_SCRIPTS`. pip has no such
 * switch that keeps pure-Python source packages installable (`PIP_ONLY_BINARY=:all:` refuses them
 * all), so for PyPI the dependency check asks instead about a release with no wheel; cargo's
 * build scripts cannot be turned off at all. Set last, so no other layer can undo them.
 */
const SCRIPTS_OFF: Record<string, string> = {
  npm_config_ignore_scripts: 'true',
  YARN_ENABLE_SCRIPTS: 'false',
};

/**
 * git in the sandbox reads no configuration the agent could have written: not `~/.gitconfig` or
 * `$XDG_CONFIG_HOME/git/config` (a command could write one and run `git diff` in the same line,
 * with `diff.external` set), not the machine's. Repository config is Warden's own and masked.
 * Set last, like the install switches, so no layer can undo it; a command that unsets them is asked about.
 */
const FIXED_GIT_CONFIG: Record<string, string> = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  // `git -p log` pages through less, whose `!cmd` runs a shell: no pager reads a keystroke here.
  GIT_PAGER: 'cat',
  // A bare repository the agent laid out in the workspace (HEAD, config, objects/, refs/) is not
  // picked up by a git run inside it, so its config (diff.external…) is never read.
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'safe.bareRepository',
  GIT_CONFIG_VALUE_0: 'explicit',
};

export interface SandboxEnv {
  env: Record<string, string>;
  /** Names that were passed and refused, for the record. */
  dropped: string[];
}

export function buildSandboxEnv(input: SandboxEnvInput): SandboxEnv {
  const env: Record<string, string> = {
    PATH: input.path,
    HOME: SANDBOX_HOME,
    USER: SANDBOX_USER,
    LOGNAME: SANDBOX_USER,
    TMPDIR: SANDBOX_TMP,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TERM: 'dumb',
  };
  const dropped: string[] = [];
  const layer = (vars: Record<string, string> | undefined, mayReplaceReserved: boolean): void => {
    for (const [name, value] of Object.entries(vars ?? {})) {
      const refused =
        !NAME.test(name) ||
        typeof value !== 'string' ||
        value.includes('\0') ||
        isDangerousEnvName(name) ||
        (!mayReplaceReserved && RESERVED_NAMES.has(name));
      if (refused) dropped.push(name);
      else env[name] = value;
    }
  };
  layer(input.operator, true);
  layer(input.request, false);
  Object.assign(env, FIXED_GIT_CONFIG);
  if (input.installScripts !== true) {
    for (const [name, value] of Object.entries(SCRIPTS_OFF)) {
      if (name in env && env[name] !== value) dropped.push(name);
      env[name] = value;
    }
  }
  return { env, dropped };
}
