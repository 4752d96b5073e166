import { withCrc32Base62 } from './checksum.ts';
import {
  ALNUM,
  assigned,
  BASE64URL,
  type Chars,
  chars,
  charset,
  HEX,
  LOWER_ALNUM,
  oneOf,
  prefixed,
  type SecretRule,
  WORD,
} from './rule.ts';

/** GitHub's tokens: a type prefix, 30 random base62 characters and a CRC32 in six more. */
function github(id: string, prefix: string, length: number): SecretRule {
  return prefixed(id, [prefix, chars(ALNUM, [36, 251])], {
    sample: { secret: [prefix, chars(ALNUM, length - 6)], finish: withCrc32Base62(prefix) },
  });
}

/** GitLab's token prefixes (docs.gitlab.com, "Token prefixes"); routable tokens add `.<version>.<crc>`. */
function gitlab(id: string, prefix: string, body: Chars = chars(BASE64URL, [20, Infinity])): SecretRule {
  const sampled =
    typeof body.length === 'number' ? body : chars(body.set, [body.length[0], body.length[0] + 20]);
  return prefixed(id, [prefix, body], { sample: { secret: [prefix, sampled] } });
}

const GITLAB_ROUTABLE = charset('A-Za-z0-9_.-');

/** GitHub, GitLab, Bitbucket and Gitea. */
export const CODE_HOSTING_RULES: readonly SecretRule[] = [
  github('github-token', 'ghp_', 36),
  github('github-oauth-token', 'gho_', 36),
  github('github-user-token', 'ghu_', 36),
  github('github-app-token', 'ghs_', 36),
  github('github-refresh-token', 'ghr_', 76),
  prefixed('github-fine-grained-token', ['github_pat_', chars(WORD, [82, 255])], {
    sample: { secret: ['github_pat_', chars(ALNUM, 22), '_', chars(ALNUM, 59)] },
  }),
  prefixed('gitlab-token', ['glpat-', chars(GITLAB_ROUTABLE, [20, Infinity])], {
    sample: {
      secret: ['glpat-', chars(BASE64URL, 20), oneOf('', '.01.'), chars(LOWER_ALNUM, 9)],
    },
  }),
  gitlab('gitlab-oauth-app-secret', 'gloas-', chars(HEX, 64)),
  gitlab('gitlab-deploy-token', 'gldt-'),
  gitlab('gitlab-runner-token', 'glrt-', chars(GITLAB_ROUTABLE, [20, Infinity])),
  gitlab('gitlab-runner-routable-token', 'glrtr-', chars(GITLAB_ROUTABLE, [20, Infinity])),
  gitlab('gitlab-ci-job-token', 'glcbt-', chars(GITLAB_ROUTABLE, [20, Infinity])),
  gitlab('gitlab-pipeline-trigger-token', 'glptt-', chars(HEX, 40)),
  gitlab('gitlab-feed-token', 'glft-'),
  gitlab('gitlab-incoming-mail-token', 'glimt-'),
  gitlab('gitlab-agent-token', 'glagent-', chars(BASE64URL, [50, Infinity])),
  gitlab('gitlab-scim-token', 'glsoat-'),
  gitlab('gitlab-feature-flags-token', 'glffct-'),
  prefixed('gitlab-runner-registration-token', ['GR1348941', chars(BASE64URL, 20)]),
  {
    id: 'gitlab-session-cookie',
    anchored: true,
    keywords: ['_gitlab_session='],
    pattern: /_gitlab_session=(?<secret>[0-9a-z]{32})(?![0-9a-z])/g,
    sample: { before: ['Cookie: _gitlab_session='], secret: [chars(LOWER_ALNUM, 32)] },
  },
  prefixed('bitbucket-app-password', ['ATBB', chars(charset('A-Za-z0-9_=.-'), [28, Infinity])], {
    sample: { secret: ['ATBB', chars(ALNUM, 28), chars(charset('A-F0-9'), 8)] },
  }),
  assigned('bitbucket-client-secret', [chars(ALNUM, 32)], {
    keywords: ['bitbucket'],
    names: ['BITBUCKET_CLIENT_SECRET', 'bitbucketOauthSecret'],
  }),
  assigned('gitea-token', [chars(HEX, 40)], {
    keywords: ['gitea', 'forgejo'],
    name: '(?:gitea|forgejo)[\\w.-]{0,20}?token',
    names: ['GITEA_TOKEN', 'gitea_access_token', 'FORGEJO_TOKEN'],
  }),
  assigned('github-legacy-token', [chars(HEX, 40)], {
    keywords: ['github', 'gh_token'],
    // GITHUB_SHA and friends hold 40 hex digits too; only a token, key or secret counts.
    name: 'github[\\w.-]{0,20}?(?:token|pat|key|secret)|gh_token',
    names: ['GITHUB_TOKEN', 'GH_TOKEN', 'github_oauth_token'],
    minEntropy: 3.2,
  }),
];
