/**
 * Files that run later, outside the sandbox: what each is, which tool runs it and when. A file is
 * in the catalog when a tool runs it (or runs what it names) by itself on an event — a push, a
 * folder opened, a container created, a `cd`, a commit, an install — and not only when a person
 * runs that file on purpose (`make`, `docker build`, `npm test`, the code itself). Paths are
 * matched case-folded (see `foldPath`) at any depth; `*` matches any characters, `/` included.
 * A path with `#` names a change inside a file whose content is judged, not the file: see
 * `runsLaterSubjects`.
 */

export const RUNS_LATER_CATEGORIES = [
  'ci',
  'ide',
  'git_hooks',
  'env_loaders',
  'package_scripts',
  'code_owners',
  'agent_instructions',
  'warden_config',
] as const;

export type RunsLaterCategory = (typeof RUNS_LATER_CATEGORIES)[number];

export interface RunsLaterEntry {
  category: RunsLaterCategory;
  /** A short slug, unique in its category: the rule id is `runs_later.<category>:<slug>`. */
  slug: string;
  /** What the file is, e.g. "GitHub Actions workflow". */
  what: string;
  /** Which tool runs it, and when. */
  runs: string;
  /** Lower-case patterns; each matches at the root and below any directory. */
  paths: string[];
}

export const CATEGORY_TITLES: Record<RunsLaterCategory, string> = {
  ci: 'CI and build pipelines',
  ide: 'IDE and container hooks',
  git_hooks: 'git and pre-commit hooks',
  env_loaders: 'env loaders',
  package_scripts: 'package lifecycle scripts',
  code_owners: 'code ownership',
  agent_instructions: 'agent instructions',
  warden_config: 'Warden’s own config',
};

const CI = 'runs in CI with the repository secrets on every push, Warden’s own branch included';
const OPEN = 'runs on a developer’s machine when the project is opened in the editor';
const COMMIT = 'runs on a developer’s machine at each git commit or push';
const CD = 'runs in a developer’s shell on every cd into the directory';
const INSTALL =
  'runs on every machine that installs the package — developers, CI (npm ci) and projects that depend on it';
const BUILD_FROM_SOURCE =
  'runs when anyone builds or installs the package from source (pip install ., uv sync, a wheel build), in CI and on developers’ machines';
const TOOL = 'runs as the package or build tool itself on every command, on developers’ machines and in CI';
const AGENT =
  'read as instructions by the next agent session in this repository (Warden, Claude Code, Codex, Cursor, Copilot, Gemini …), which acts on them with its own permissions';

const NPM_LIFECYCLE = [
  'preinstall',
  'install',
  'postinstall',
  'preuninstall',
  'uninstall',
  'postuninstall',
  'prepublish',
  'preprepare',
  'prepare',
  'postprepare',
  'prepublishonly',
  'prepack',
  'postpack',
  'publish',
  'postpublish',
  'preversion',
  'version',
  'postversion',
  'dependencies',
  'preshrinkwrap',
  'shrinkwrap',
  'postshrinkwrap',
  'pnpm:devpreinstall',
];

/** Composer runs these scripts on install and update. */
const COMPOSER_LIFECYCLE = [
  'pre-install-cmd',
  'post-install-cmd',
  'pre-update-cmd',
  'post-update-cmd',
  'pre-autoload-dump',
  'post-autoload-dump',
  'post-root-package-install',
  'post-create-project-cmd',
  'pre-package-install',
  'post-package-install',
  'pre-package-update',
  'post-package-update',
];

const entry = (
  category: RunsLaterCategory,
  slug: string,
  what: string,
  runs: string,
  paths: string[],
): RunsLaterEntry => ({ category, slug, what, runs, paths });

export const RUNS_LATER_CATALOG: readonly RunsLaterEntry[] = [
  // CI and build pipelines
  entry('ci', 'github-actions', 'GitHub Actions workflow', CI, ['.github/workflows/*']),
  entry('ci', 'github-action', 'GitHub Action', `${CI}, in every workflow that uses it`, [
    '.github/actions/*',
    'action.yml',
    'action.yaml',
  ]),
  entry('ci', 'gitlab-ci', 'GitLab CI pipeline', CI, [
    '.gitlab-ci.yml',
    '.gitlab-ci.yaml',
    '*.gitlab-ci.yml',
    '.gitlab/ci/*',
  ]),
  entry('ci', 'circleci', 'CircleCI pipeline', CI, ['.circleci/*']),
  entry('ci', 'azure-pipelines', 'Azure Pipelines pipeline', CI, ['azure-pipelines*', '.azure-pipelines/*']),
  entry('ci', 'jenkins', 'Jenkins pipeline', CI, ['jenkinsfile*', '*.jenkinsfile']),
  entry('ci', 'bitbucket', 'Bitbucket Pipelines pipeline', CI, ['bitbucket-pipelines.yml']),
  entry('ci', 'buildkite', 'Buildkite pipeline', CI, ['.buildkite/*', 'buildkite.yml', 'buildkite.yaml']),
  entry('ci', 'travis', 'Travis CI pipeline', CI, ['.travis.yml']),
  entry('ci', 'drone', 'Drone pipeline', CI, ['.drone.*']),
  entry('ci', 'woodpecker', 'Woodpecker pipeline', CI, ['.woodpecker.*', '.woodpecker/*']),
  entry('ci', 'forgejo-gitea', 'Forgejo or Gitea Actions workflow', CI, [
    '.forgejo/workflows/*',
    '.gitea/workflows/*',
  ]),
  entry('ci', 'cirrus', 'Cirrus CI pipeline', CI, ['.cirrus.yml', '.cirrus.star']),
  entry('ci', 'appveyor', 'AppVeyor pipeline', CI, ['appveyor.yml', '.appveyor.yml']),
  entry('ci', 'semaphore', 'Semaphore pipeline', CI, ['.semaphore/*']),
  entry('ci', 'codebuild', 'AWS CodeBuild build spec', CI, ['buildspec*.yml', 'buildspec*.yaml']),
  entry('ci', 'cloud-build', 'Google Cloud Build config', CI, [
    'cloudbuild.yaml',
    'cloudbuild.yml',
    'cloudbuild.json',
  ]),
  entry('ci', 'tekton', 'Tekton pipeline', CI, ['.tekton/*']),
  entry('ci', 'codemagic', 'Codemagic workflow', CI, ['codemagic.yaml']),
  entry('ci', 'bamboo', 'Bamboo spec', CI, ['bamboo-specs/*']),
  entry('ci', 'sourcehut', 'sourcehut builds manifest', CI, ['.build.yml', '.builds/*']),
  entry('ci', 'bitrise', 'Bitrise workflow', CI, ['bitrise.yml']),
  entry(
    'ci',
    'teamcity',
    'TeamCity versioned settings (Kotlin DSL)',
    'runs on the TeamCity server when the settings change (the Kotlin DSL is compiled and run), and defines the builds that run in CI with the project’s secrets',
    ['.teamcity/*'],
  ),
  entry('ci', 'vela', 'Vela pipeline', CI, ['.vela.yml', '.vela.yaml']),
  entry('ci', 'screwdriver', 'Screwdriver pipeline', CI, ['screwdriver.yaml']),
  entry('ci', 'zuul', 'Zuul project config', `${CI}, and on every change proposed`, [
    '.zuul.yaml',
    'zuul.yaml',
    'zuul.d/*',
    '.zuul.d/*',
  ]),
  entry(
    'ci',
    'hosted-build',
    'hosting build config (Netlify, Vercel, AWS Amplify, Render)',
    'runs on the host’s builders with the site’s environment variables on every push',
    ['netlify.toml', 'vercel.json', 'now.json', 'amplify.yml', 'render.yaml'],
  ),
  entry(
    'ci',
    'heroku-app',
    'Heroku app.json scripts (postdeploy, Heroku CI)',
    'runs on Heroku with the app’s config vars when a review app is created and in Heroku CI on every push',
    ['app.json#scripts', 'app.json#environments'],
  ),
  entry(
    'ci',
    'cloudflare-workers',
    'Cloudflare Wrangler config (build command)',
    'runs its [build] command on Cloudflare’s builders on every push when Workers Builds is connected, and at every wrangler deploy or dev',
    ['wrangler.toml', 'wrangler.json', 'wrangler.jsonc'],
  ),

  // IDE and container hooks
  entry(
    'ide',
    'vscode',
    'VS Code workspace config (tasks, settings, launch, extensions)',
    `${OPEN} (a task with runOn: folderOpen; settings that name programs)`,
    ['.vscode/*', '*.code-workspace'],
  ),
  entry(
    'ide',
    'devcontainer',
    'dev container definition',
    'runs when the project is opened in a dev container or Codespace (postCreateCommand, the image build), with the developer’s credentials forwarded',
    ['.devcontainer/*', '.devcontainer.json'],
  ),
  entry('ide', 'jetbrains', 'JetBrains project config and run configurations', `${OPEN} or run from it`, [
    '.idea/*',
    '.run/*',
  ]),
  entry('ide', 'gitpod', 'Gitpod workspace config', 'runs when a Gitpod workspace starts', [
    '.gitpod.yml',
    '.gitpod.dockerfile',
  ]),
  entry('ide', 'idx', 'Project IDX workspace config', 'runs when the IDX workspace is created or started', [
    '.idx/*',
  ]),
  entry('ide', 'zed', 'Zed project config', OPEN, ['.zed/*']),
  entry('ide', 'fleet', 'Fleet project config', OPEN, ['.fleet/*']),
  entry('ide', 'replit', 'Replit config', 'runs when the Repl boots or runs', ['.replit', 'replit.nix']),
  entry(
    'ide',
    'exrc',
    'Vim or Neovim project config (exrc)',
    'runs in Vim or Neovim started in the directory',
    ['.nvim.lua', '.nvimrc', '.exrc'],
  ),
  entry('ide', 'emacs', 'Emacs directory variables', 'evaluated by Emacs when a file below it is opened', [
    '.dir-locals.el',
    '.dir-locals-2.el',
  ]),

  // git and pre-commit hooks
  entry('git_hooks', 'husky', 'husky git hook', COMMIT, ['.husky/*']),
  entry('git_hooks', 'pre-commit', 'pre-commit config', `${COMMIT}, and in pre-commit.ci`, [
    '.pre-commit-config.yaml',
    '.pre-commit-config.yml',
  ]),
  entry(
    'git_hooks',
    'pre-commit-hooks',
    'pre-commit hooks this repository provides',
    'runs at each commit in every repository that uses these hooks',
    ['.pre-commit-hooks.yaml'],
  ),
  entry('git_hooks', 'lefthook', 'lefthook config', COMMIT, [
    'lefthook.*',
    'lefthook-local.*',
    '.lefthook.*',
    '.lefthook-local.*',
    '.lefthook/*',
    '.lefthook-local/*',
  ]),
  entry('git_hooks', 'hooks-dir', 'git hooks directory (core.hooksPath)', COMMIT, [
    '.githooks/*',
    '.git-hooks/*',
    'githooks/*',
    'git-hooks/*',
  ]),
  entry(
    'git_hooks',
    'hook-managers',
    'git hook manager config (simple-git-hooks, lint-staged, overcommit)',
    COMMIT,
    ['.simple-git-hooks*', 'simple-git-hooks*', '.lintstagedrc*', 'lint-staged.config.*', '.overcommit.yml'],
  ),
  entry(
    'git_hooks',
    'package-json-hooks',
    'git hooks in package.json (husky, simple-git-hooks, lint-staged, yorkie)',
    COMMIT,
    [
      'package.json#husky',
      'package.json#simple-git-hooks',
      'package.json#lint-staged',
      'package.json#pre-commit',
      'package.json#githooks',
      'package.json#config.ghooks',
    ],
  ),

  // env loaders
  entry('env_loaders', 'direnv', 'direnv .envrc', `${CD} (direnv), as a shell script`, ['.envrc']),
  entry(
    'env_loaders',
    'dotenv',
    'environment file',
    'sourced as a shell script on cd by autoenv; loaded into the environment by direnv’s dotenv, docker compose and editors, where NODE_OPTIONS or LD_PRELOAD run code',
    ['.env', '.env.leave', '.autoenv.zsh', '.autoenv_leave.zsh'],
  ),
  entry('env_loaders', 'mise', 'mise config (hooks, tasks, env scripts)', `${CD} (mise activate)`, [
    'mise.toml',
    'mise.*.toml',
    '.mise.toml',
    '.mise.*.toml',
    'mise/*',
    '.mise/*',
    '.config/mise.toml',
    '.config/mise/*',
    '.rtx.toml',
  ]),
  entry(
    'env_loaders',
    'tool-versions',
    'asdf/mise tool versions',
    'chooses the program that runs as node, python, … in a developer’s shell in this directory (a path: version is any directory)',
    ['.tool-versions'],
  ),

  // package lifecycle scripts
  entry(
    'package_scripts',
    'npm-lifecycle',
    'npm lifecycle script',
    INSTALL,
    NPM_LIFECYCLE.map((name) => `package.json#scripts.${name}`),
  ),
  entry(
    'package_scripts',
    'npm-script-permissions',
    'dependency install-script permissions (trustedDependencies, pnpm onlyBuiltDependencies)',
    'lets the named dependencies’ own install scripts run on every machine that installs this package',
    [
      'package.json#trusteddependencies',
      'package.json#pnpm.onlybuiltdependencies',
      'package.json#pnpm.neverbuiltdependencies',
      'pnpm-workspace.yaml',
      'composer.json#config.allow-plugins',
    ],
  ),
  entry(
    'package_scripts',
    'package-manager',
    'packageManager field (Corepack)',
    'Corepack downloads and runs the package manager it names (a URL can name any script) on every npm, yarn or pnpm command',
    ['package.json#packagemanager'],
  ),
  entry(
    'package_scripts',
    'unread-manifest',
    'package manifest written in a way Warden cannot read',
    'may add a lifecycle script or build hook: Warden cannot tell what the write changes',
    ['package.json#?', 'pyproject.toml#?', 'composer.json#?', 'app.json#?'],
  ),
  entry(
    'package_scripts',
    'composer-lifecycle',
    'Composer lifecycle script',
    INSTALL,
    COMPOSER_LIFECYCLE.map((name) => `composer.json#scripts.${name}`),
  ),
  entry('package_scripts', 'python-build', 'Python build hook', BUILD_FROM_SOURCE, [
    'setup.py',
    'hatch_build.py',
    'pyproject.toml#build-system',
    'pyproject.toml#tool.hatch.build.hooks',
    'pyproject.toml#tool.hatch.build.targets.*.hooks',
    'pyproject.toml#tool.hatch.metadata.hooks',
    'pyproject.toml#tool.poetry.build',
    'pyproject.toml#tool.pdm.build',
    ...['pre_install', 'post_install', 'pre_lock', 'post_lock', 'pre_build', 'post_build'].map(
      (hook) => `pyproject.toml#tool.pdm.scripts.${hook}`,
    ),
    'pyproject.toml#tool.setuptools.cmdclass',
    'pyproject.toml#tool.hatch.version',
  ]),
  entry(
    'package_scripts',
    'node-gyp',
    'node-gyp build file',
    `${INSTALL}: npm runs node-gyp rebuild when it is there, and gyp runs the commands in <!(…)`,
    ['binding.gyp'],
  ),
  entry(
    'package_scripts',
    'package-manager-config',
    'npm or Yarn 1 config (.npmrc, .yarnrc)',
    'read by npm, pnpm and Yarn on every command, on developers’ machines and in CI: script-shell, node-options and yarn-path run a program it names',
    ['.npmrc', '.yarnrc'],
  ),
  entry('package_scripts', 'package-tool', 'package tool code (yarnPath, Yarn plugins, pnpmfile)', TOOL, [
    '.yarnrc.yml',
    '.yarn/releases/*',
    '.yarn/plugins/*',
    '.pnpmfile.cjs',
    '.pnpmfile.mjs',
  ]),
  entry(
    'package_scripts',
    'build-wrapper',
    'build tool wrapper (Gradle, Maven) and Cargo config',
    `${TOOL}, also when an IDE imports the project`,
    [
      'gradlew',
      'gradlew.bat',
      'gradle/wrapper/*',
      'mvnw',
      'mvnw.cmd',
      '.mvn/*',
      '.cargo/config',
      '.cargo/config.toml',
    ],
  ),

  // code ownership
  entry(
    'code_owners',
    'codeowners',
    'CODEOWNERS',
    'once merged, decides who must approve changes to each path where reviews by code owners are required',
    ['codeowners', '.github/codeowners', 'docs/codeowners', '.gitlab/codeowners', '.bitbucket/codeowners'],
  ),

  // agent instructions
  entry('agent_instructions', 'agents-md', 'agent instructions (AGENTS.md)', AGENT, [
    'agents.md',
    'agent.md',
  ]),
  entry(
    'agent_instructions',
    'claude',
    'Claude Code instructions and settings',
    `${AGENT}; hooks in .claude/settings.json and servers in .mcp.json start programs`,
    ['claude.md', 'claude.local.md', '.claude/*', '.mcp.json'],
  ),
  entry('agent_instructions', 'gemini', 'Gemini CLI instructions and settings', AGENT, [
    'gemini.md',
    '.gemini/*',
  ]),
  entry('agent_instructions', 'qwen', 'Qwen Code instructions and settings', AGENT, ['qwen.md', '.qwen/*']),
  entry(
    'agent_instructions',
    'agent-settings',
    'coding agent config (opencode, Crush)',
    `${AGENT}; the MCP servers, plugins and commands it names start when the session does`,
    ['opencode.json', 'opencode.jsonc', '.opencode/*', 'crush.json', '.crush.json'],
  ),
  entry('agent_instructions', 'cursor', 'Cursor rules and settings', AGENT, ['.cursorrules', '.cursor/*']),
  entry('agent_instructions', 'copilot', 'GitHub Copilot instructions', AGENT, [
    '.github/copilot-instructions.md',
    '.github/instructions/*',
    '.github/prompts/*',
    '.github/chatmodes/*',
    '.github/agents/*',
  ]),
  entry(
    'agent_instructions',
    'other-agents',
    'coding agent rules (Windsurf, Cline, Roo, Continue, Junie, Amazon Q, Kiro, Codex, OpenHands, Goose, Zed, Aider)',
    AGENT,
    [
      '.windsurfrules',
      '.windsurf/*',
      '.clinerules*',
      '.roo/*',
      '.roorules*',
      '.roomodes',
      '.continue/*',
      '.continuerules',
      '.junie/*',
      '.amazonq/*',
      '.kiro/*',
      '.codex/*',
      '.openhands/*',
      '.openhands_instructions',
      '.goosehints',
      '.rules',
      '.aider.conf.yml',
    ],
  ),

  // Warden’s own config
  entry(
    'warden_config',
    'warden',
    'Warden config or policy file',
    'read by the next Warden run in this repository (models, prices); a policy file governs every session it is passed to',
    ['warden.config.*', '*.policy.yaml', '*.policy.yml'],
  ),
];
