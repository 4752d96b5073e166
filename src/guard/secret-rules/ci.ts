import {
  ALNUM,
  assigned,
  BASE64URL,
  chars,
  charset,
  HEX,
  oneOf,
  prefixed,
  type SecretRule,
  UUID,
} from './rule.ts';

/** CI/CD services, code quality and security scanners, build caches. */
export const CI_RULES: readonly SecretRule[] = [
  prefixed('circleci-token', [oneOf('CCIPAT_', 'CCIPRJ_'), chars(ALNUM, 22), '_', chars(HEX, 40)]),
  assigned('circleci-legacy-token', [chars(HEX, 40)], {
    keywords: ['circle_token', 'circleci'],
    name: 'circle(?:ci)?[\\w.-]{0,20}?token',
    names: ['CIRCLE_TOKEN', 'CIRCLECI_API_TOKEN'],
  }),
  assigned('travis-ci-token', [chars(BASE64URL, 22)], {
    keywords: ['travis'],
    names: ['TRAVIS_API_TOKEN', 'travisToken'],
    sample: { secret: [chars(ALNUM, 22)], names: ['TRAVIS_API_TOKEN'] },
  }),
  assigned('drone-ci-token', [chars(ALNUM, 32)], {
    keywords: ['drone_token', 'drone-token', 'dronetoken'],
    names: ['DRONE_TOKEN'],
  }),
  prefixed('buildkite-token', [oneOf('bkua_', 'bkct_'), chars(HEX, 40)]),
  prefixed('buildkite-agent-token', ['bkat_', chars(ALNUM, [40, 60])], {
    sample: { secret: ['bkat_', chars(ALNUM, 48)] },
  }),
  assigned('codecov-token', UUID, {
    keywords: ['codecov'],
    names: ['CODECOV_TOKEN'],
  }),
  prefixed('harness-api-key', [
    oneOf('pat.', 'sat.'),
    chars(BASE64URL, 22),
    '.',
    chars(HEX, 24),
    '.',
    chars(ALNUM, 20),
  ]),
  prefixed('octopus-deploy-api-key', ['API-', chars(charset('A-Z0-9'), 26)]),
  prefixed('sonarqube-token', [oneOf('squ_', 'sqp_', 'sqa_'), chars(HEX, 40)]),
  assigned('sonarcloud-token', [chars(HEX, 40)], {
    keywords: ['sonar_token', 'sonar-token', 'sonar.token', 'sonar.login', 'sonarcloud'],
    names: ['SONAR_TOKEN', 'sonar.login'],
  }),
  assigned('snyk-token', UUID, {
    keywords: ['snyk'],
    names: ['SNYK_TOKEN', 'snykApiToken'],
  }),
  {
    id: 'sourcegraph-token',
    anchored: true,
    keywords: ['sgp_'],
    pattern: /(?<![A-Za-z0-9])(?<secret>sgp_(?:[0-9a-f]{16}_|local_)?[0-9a-f]{40})(?![0-9a-f])/g,
    sample: { secret: ['sgp_', chars(HEX, 16), '_', chars(HEX, 40)] },
  },
  prefixed('infracost-token', ['ico-', chars(ALNUM, 32)]),
  prefixed('prefect-api-key', ['pnu_', chars(ALNUM, 36)]),
  prefixed('codemagic-token', ['cmt_', chars(ALNUM, [30, 60])], {
    sample: { secret: ['cmt_', chars(ALNUM, 40)] },
  }),
  assigned('jenkins-api-token', [chars(HEX, [32, 34])], {
    keywords: ['jenkins'],
    names: ['JENKINS_API_TOKEN', 'jenkinsToken'],
    sample: { secret: ['11', chars(HEX, 32)], names: ['JENKINS_API_TOKEN'] },
  }),
  assigned('teamcity-token', [chars(charset('A-Za-z0-9_.-'), [100, 200])], {
    keywords: ['teamcity'],
    names: ['TEAMCITY_TOKEN'],
    sample: {
      secret: ['eyJ0eXAiOiAiVENWMiJ9', '.', chars(BASE64URL, 40), '.', chars(BASE64URL, 60)],
      names: ['TEAMCITY_TOKEN'],
    },
  }),
  assigned('bitrise-token', [chars(BASE64URL, [60, 90])], {
    keywords: ['bitrise'],
    names: ['BITRISE_TOKEN', 'BITRISE_API_TOKEN'],
    sample: { secret: [chars(ALNUM, 86)], names: ['BITRISE_API_TOKEN'] },
  }),
  assigned('appveyor-token', [chars(charset('a-z0-9'), 20)], {
    keywords: ['appveyor'],
    names: ['APPVEYOR_API_TOKEN'],
  }),
  assigned('vercel-token', [chars(ALNUM, 24)], {
    keywords: ['vercel', 'now_token'],
    names: ['VERCEL_TOKEN', 'vercelToken'],
  }),
  assigned('cypress-record-key', UUID, {
    keywords: ['cypress_record_key', 'cypress-record-key'],
    names: ['CYPRESS_RECORD_KEY'],
  }),
  assigned('browserstack-access-key', [chars(ALNUM, 20)], {
    keywords: ['browserstack'],
    names: ['BROWSERSTACK_ACCESS_KEY'],
  }),
  assigned('saucelabs-access-key', UUID, {
    keywords: ['sauce_access_key', 'saucelabs', 'sauce-access-key'],
    names: ['SAUCE_ACCESS_KEY'],
  }),
  assigned('percy-token', [chars(HEX, 64)], {
    keywords: ['percy_token', 'percy-token'],
    names: ['PERCY_TOKEN'],
  }),
  assigned('chromatic-project-token', [chars(charset('a-z0-9_'), [10, 20])], {
    keywords: ['chromatic_project_token', 'chromatic-project-token'],
    names: ['CHROMATIC_PROJECT_TOKEN'],
    sample: { secret: ['chpt_', chars(HEX, 14)], names: ['CHROMATIC_PROJECT_TOKEN'] },
  }),
  assigned('turbo-remote-cache-token', [chars(ALNUM, 24)], {
    keywords: ['turbo_token'],
    names: ['TURBO_TOKEN'],
  }),
  assigned('nx-cloud-token', [chars(BASE64URL, [40, 100])], {
    keywords: ['nx_cloud', 'nxcloud'],
    names: ['NX_CLOUD_ACCESS_TOKEN', 'nxCloudAccessToken'],
    sample: { secret: [chars(ALNUM, 64)], names: ['NX_CLOUD_ACCESS_TOKEN'] },
  }),
];
