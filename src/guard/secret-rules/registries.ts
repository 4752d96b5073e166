import { withCrc32Base62 } from './checksum.ts';
import {
  ALNUM,
  assigned,
  BASE64URL,
  chars,
  charset,
  HEX,
  LOWER_ALNUM,
  prefixed,
  type SecretRule,
} from './rule.ts';

/** PyPI's upload tokens are macaroons whose first caveat names the index: `pypi.org` or `test.pypi.org`. */
const PYPI_BODY = chars(BASE64URL, [50, Infinity]);

/** Package registries and artifact stores: the tokens that publish code other people install. */
export const REGISTRY_RULES: readonly SecretRule[] = [
  prefixed('npm-token', ['npm_', chars(ALNUM, 36)], {
    sample: { secret: ['npm_', chars(ALNUM, 30)], finish: withCrc32Base62('npm_') },
  }),
  prefixed('pypi-token', ['pypi-AgEIcHlwaS5vcmc', PYPI_BODY], {
    sample: { secret: ['pypi-AgEIcHlwaS5vcmc', chars(BASE64URL, [150, 220])] },
  }),
  prefixed('testpypi-token', ['pypi-AgENdGVzdC5weXBpLm9yZw', PYPI_BODY], {
    sample: { secret: ['pypi-AgENdGVzdC5weXBpLm9yZw', chars(BASE64URL, [150, 220])] },
  }),
  prefixed('rubygems-api-key', ['rubygems_', chars(HEX, 48)]),
  prefixed('nuget-api-key', ['oy2', chars(LOWER_ALNUM, 43)]),
  {
    id: 'nuget-config-password',
    keywords: ['cleartextpassword'],
    pattern: /(?i:key=\\?"ClearTextPassword\\?")[ \t]+(?i:value)=\\?"(?<secret>[^"\\]{4,})\\?"/g,
    sample: {
      before: ['<add key="Username" value="ci" />\n<add key="ClearTextPassword" value="'],
      secret: [chars(ALNUM, [12, 40])],
      after: ['" />'],
    },
  },
  prefixed('dockerhub-pat', ['dckr_pat_', chars(BASE64URL, [27, Infinity])]),
  prefixed('dockerhub-org-token', ['dckr_oat_', chars(BASE64URL, [27, Infinity])], {
    sample: { secret: ['dckr_oat_', chars(BASE64URL, 32)] },
  }),
  prefixed('crates-io-token', ['cio', chars(ALNUM, 32)]),
  prefixed('clojars-token', ['CLOJARS_', chars(LOWER_ALNUM, 60)]),
  prefixed('artifactory-api-key', ['AKCp', chars(ALNUM, 69)]),
  // Artifactory reference tokens are base64 of `reftkn:…`.
  prefixed('artifactory-reference-token', ['cmVmdGtuOjAx', chars(ALNUM, [52, 60])], {
    sample: { secret: ['cmVmdGtuOjAxOjE3', chars(ALNUM, 48)] },
  }),
  assigned('jfrog-token', [chars(charset('A-Za-z0-9_.-'), [64, Infinity])], {
    keywords: ['jfrog', 'artifactory'],
    name: '(?:jfrog|artifactory)[\\w.-]{0,20}?(?:token|key|password|secret)',
    names: ['JFROG_ACCESS_TOKEN', 'ARTIFACTORY_API_KEY', 'jfrogToken'],
    sample: { secret: [chars(ALNUM, 64)], names: ['JFROG_ACCESS_TOKEN', 'ARTIFACTORY_API_KEY'] },
  }),
  assigned('packagist-token', [chars(HEX, [40, 64])], {
    keywords: ['packagist', 'composer_auth'],
    names: ['PACKAGIST_TOKEN', 'packagistApiToken'],
  }),
  assigned('hex-pm-key', [chars(HEX, 32)], {
    keywords: ['hex_api_key', 'hexpm'],
    names: ['HEX_API_KEY', 'HEXPM_KEY'],
  }),
  assigned('pub-dev-token', [chars(ALNUM, [32, 64])], {
    keywords: ['pub_token', 'pub-token', 'pub_dev'],
    names: ['PUB_TOKEN', 'pub_dev_token'],
  }),
  assigned('cocoapods-trunk-token', [chars(HEX, 32)], {
    keywords: ['cocoapods', 'cocoapods_trunk'],
    names: ['COCOAPODS_TRUNK_TOKEN'],
  }),
  assigned('conda-token', [chars(charset('a-z0-9-'), [30, 40])], {
    keywords: ['anaconda', 'conda_token'],
    names: ['ANACONDA_API_TOKEN', 'CONDA_TOKEN'],
    sample: { secret: [chars(LOWER_ALNUM, 2), '-', chars(LOWER_ALNUM, 32)], names: ['ANACONDA_API_TOKEN'] },
  }),
  assigned('sonatype-token', [chars(charset('A-Za-z0-9+/=_-'), [20, 60])], {
    keywords: ['sonatype', 'ossrh', 'nexus'],
    name: '(?:sonatype|ossrh|nexus)[\\w.-]{0,20}?(?:token|password|secret|pass)',
    names: ['SONATYPE_TOKEN_PASSWORD', 'OSSRH_PASSWORD', 'NEXUS_PASSWORD'],
    sample: { secret: [chars(ALNUM, [24, 44])], names: ['OSSRH_PASSWORD', 'NEXUS_PASSWORD'] },
  }),
  assigned('gradle-publish-secret', [chars(ALNUM, 32)], {
    keywords: ['gradle.publish', 'gradle_publish'],
    names: ['gradle.publish.secret', 'GRADLE_PUBLISH_SECRET'],
  }),
];
