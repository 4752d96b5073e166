import fc from 'fast-check';
import { entropy } from '../src/guard/secret-rules/randomness.ts';
import type { Part, SecretRule } from '../src/guard/secret-rules/rule.ts';

/** How long an open-ended part (`{20,}`) runs in samples past its minimum. */
const OPEN_END = 40;

/** Random characters of a documented charset, without fast-check's bias toward repeats: keys are random. */
export function partArbitrary(part: Part): fc.Arbitrary<string> {
  if (typeof part === 'string') return fc.constant(part);
  if ('oneOf' in part) return fc.constantFrom(...part.oneOf);
  const [min, max] = typeof part.length === 'number' ? [part.length, part.length] : part.length;
  const unit = fc.constantFrom(...part.set.chars);
  return fc.noBias(
    fc.string({ unit, minLength: min, maxLength: Number.isFinite(max) ? max : min + OPEN_END }),
  );
}

const joined = (parts: readonly Part[] = []): fc.Arbitrary<string> =>
  fc.tuple(...parts.map(partArbitrary)).map((pieces) => pieces.join(''));

export interface SecretSample {
  before: string;
  secret: string;
  after: string;
  /** The name the value is assigned to in the generated contexts. */
  name: string;
}

/** Real keys are random: a body of repeated characters is no sample of one (and shrinking goes there). */
const MIN_SAMPLE_ENTROPY = 3;

/** Names that say nothing about a value, and one that says "a key" without saying whose. */
const NEUTRAL_NAMES = ['VALUE', 'config_item', 'API_TOKEN'];

/** Samples of a rule's documented format; `isRealistic` keeps those as random as real keys. */
export function sampleArbitrary(rule: SecretRule): fc.Arbitrary<SecretSample> {
  const { sample } = rule;
  const secret = joined(sample.secret).map((value) => (sample.finish ? sample.finish(value) : value));
  return fc.record({
    before: joined(sample.before),
    secret,
    after: joined(sample.after),
    // A value with its own form (`Authorization: …`, `postgres://…`) is not also given a key-like name.
    name: fc.constantFrom(...(sample.names ?? (sample.before ? NEUTRAL_NAMES.slice(0, 2) : NEUTRAL_NAMES))),
  });
}

/** For `fc.pre`: a sample as random as a real key and accepted by the rule's validator. */
export function isRealistic(rule: SecretRule, { before, secret, after }: SecretSample): boolean {
  return (
    entropy(secret) >= Math.max(MIN_SAMPLE_ENTROPY, rule.minEntropy ?? 0) &&
    (!rule.validate || rule.validate(secret, before + secret + after))
  );
}

/** A secret written into a text: what surrounds it, and the secret as the text encodes it. */
export interface Placed {
  head: string;
  before: string;
  secret: string;
  after: string;
  tail: string;
}

export interface Context {
  name: string;
  /** Whether the context can hold this fragment (a URL holds no spaces; JSON holds anything). */
  fits(fragment: string): boolean;
  place(name: string, sample: SecretSample): Placed;
}

const jsonEscaped = (text: string): string => JSON.stringify(text).slice(1, -1);
const plain = (head: string, s: SecretSample, tail: string, encode = (t: string) => t): Placed => ({
  head,
  before: encode(s.before),
  secret: encode(s.secret),
  after: encode(s.after),
  tail,
});

/** Where tool output carries secrets: env files, shells, JSON, YAML, logs and URLs. */
export const CONTEXTS: readonly Context[] = [
  {
    name: 'env line',
    fits: () => true,
    place: (name, s) =>
      /\n/.test(s.before + s.secret + s.after)
        ? plain(`# production\n${name}="`, s, '"\nNODE_ENV=production\n')
        : plain(`# production\n${name}=`, s, '\nNODE_ENV=production\n'),
  },
  {
    name: 'shell export',
    fits: (fragment) => !/['\n]/.test(fragment),
    place: (name, s) => plain(`$ export ${name}='`, s, `'\n$ npm run deploy\n`),
  },
  {
    name: 'JSON',
    fits: () => true,
    place: (name, s) => plain(`{"region": "us-east-1", "${name}": "`, s, '", "retries": 3}', jsonEscaped),
  },
  {
    name: 'YAML',
    fits: () => true,
    place: (name, s) =>
      /\n/.test(s.before + s.secret + s.after)
        ? plain(`service:\n  ${name}: |\n    `, s, '\n  replicas: 2\n', (t) => t.replace(/\n/g, '\n    '))
        : plain(`service:\n  ${name}: `, s, '\n  replicas: 2\n'),
  },
  {
    name: 'log line',
    fits: () => true,
    place: (name, s) =>
      plain(`2025-06-01T12:00:00.123Z INFO  [worker-3] loaded ${name}=`, s, ' in 12ms (request 42)\n'),
  },
  {
    name: 'URL',
    fits: (fragment) => /^[^\s&#"'<>]+$/.test(fragment),
    place: (name, s) => plain(`GET https://api.example.com/v1/items?${name}=`, s, '&page=2 HTTP/1.1'),
  },
];

export const textOf = (p: Placed): string => p.head + p.before + p.secret + p.after + p.tail;
