/**
 * Runs and trials built in a few lines for the tests of the summary and the reports, and a larger
 * deterministic sample run to look at a report with.
 */
import type {
  Contestant,
  EvalRunRecord,
  TrialKey,
  TrialOutcome,
  TrialRecord,
  TrialResult,
} from '../types.ts';

export function runRecord(contestants: Contestant[], repeats: number, instances: number): EvalRunRecord {
  return {
    id: 'run-1',
    suite: { name: 'offline', file: '/suites/offline.jsonl', digest: 'a'.repeat(64), instances },
    contestants,
    repeats,
    policy: { name: 'default', digest: 'b'.repeat(64) },
    createdAt: '2025-06-01T09:30:00.000Z',
    createdBy: 'ada',
    team: undefined,
  };
}

export function result(outcome: TrialOutcome, spend: Partial<TrialResult> = {}): TrialResult {
  return {
    outcome,
    tests: [],
    sessionId: 'session-1',
    agentStatus: 'finished',
    inputTokens: 1000,
    outputTokens: 100,
    cost: 0.01,
    wallMs: 10_000,
    turns: 4,
    toolCalls: 6,
    asks: 0,
    denials: 0,
    guardFlags: 0,
    diffStat: { files: 1, added: 2, removed: 1 },
    ...spend,
  };
}

export function doneTrial(key: TrialKey, trialResult: TrialResult): TrialRecord {
  return {
    ...key,
    runId: 'run-1',
    status: 'done',
    attempts: 1,
    result: trialResult,
    startedAt: '2025-06-01T09:31:00.000Z',
    finishedAt: '2025-06-01T09:32:00.000Z',
  };
}

export function queuedTrial(key: TrialKey): TrialRecord {
  return {
    ...key,
    runId: 'run-1',
    status: 'queued',
    attempts: 0,
    result: undefined,
    startedAt: undefined,
    finishedAt: undefined,
  };
}

const SAMPLE_INSTANCES = [
  'py-slugify-unicode',
  'py-csv-quoted-newline',
  'py-retry-backoff-cap',
  'py-ini-inline-comment',
  'js-date-parse-utc',
  'js-deep-merge-arrays',
  'js-semver-prerelease',
  'js-url-join-slashes',
  'go-lru-evict-order',
  'go-duration-overflow',
  'sh-path-with-spaces',
  'c-ring-buffer-wrap',
];

interface SampleContestant extends Contestant {
  /** Chance of resolving, of breaking a passing test, of an ungradable trial. */
  skill: number;
  breaks: number;
  errors: number;
  /** USD per million tokens in and out; undefined for a model without a price. */
  price: { input: number; output: number } | undefined;
  tokens: number;
}

const SAMPLE_CONTESTANTS: SampleContestant[] = [
  {
    agent: 'warden',
    model: 'openai:gpt-5.5',
    skill: 0.78,
    breaks: 0.05,
    errors: 0,
    price: { input: 1.25, output: 10 },
    tokens: 42_000,
  },
  {
    agent: 'warden',
    model: 'anthropic:claude-sonnet-4-5',
    skill: 0.72,
    breaks: 0.08,
    errors: 0.03,
    price: { input: 3, output: 15 },
    tokens: 51_000,
  },
  {
    agent: 'codex',
    model: 'openai:gpt-5.5',
    skill: 0.6,
    breaks: 0.1,
    errors: 0.03,
    price: { input: 1.25, output: 10 },
    tokens: 88_000,
  },
  {
    agent: 'warden',
    model: 'ollama:qwen2.5-coder',
    skill: 0.3,
    breaks: 0.15,
    errors: 0.05,
    price: undefined,
    tokens: 30_000,
  },
];

/**
 * A run of 4 contestants × 12 instances × 3 repeats with outcomes from a fixed pseudo-random
 * sequence; the last `pending` trials (in key order) are still queued.
 */
export function sampleRun(pending = 0): { run: EvalRunRecord; trials: TrialRecord[]; instanceIds: string[] } {
  const repeats = 3;
  const run = runRecord(
    SAMPLE_CONTESTANTS.map(({ agent, model }) => ({ agent, model })),
    repeats,
    SAMPLE_INSTANCES.length,
  );
  let seed = 20250601;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const trials: TrialRecord[] = [];
  SAMPLE_INSTANCES.forEach((instanceId, i) => {
    // Some instances are harder for everyone: the grid then shows rows, not noise.
    const difficulty = [0.25, 0, -0.1, 0.15, 0.05, -0.3, 0.1, 0.2, -0.2, -0.45, 0.2, -0.05][i] as number;
    SAMPLE_CONTESTANTS.forEach((contestant, index) => {
      for (let repeat = 0; repeat < repeats; repeat++) {
        const roll = random();
        const chance = Math.min(0.97, Math.max(0.02, contestant.skill + difficulty));
        const outcome: TrialOutcome =
          roll < contestant.errors
            ? 'error'
            : roll < contestant.errors + chance
              ? 'resolved'
              : roll < contestant.errors + chance + contestant.breaks
                ? 'broken'
                : 'unresolved';
        const input = Math.round(contestant.tokens * (0.6 + random() * 0.8));
        const output = Math.round(input * 0.06);
        const cost = contestant.price
          ? (input * contestant.price.input + output * contestant.price.output) / 1e6
          : undefined;
        const turns = 3 + Math.floor(random() * 12);
        trials.push(
          doneTrial(
            { instanceId, contestant: index, repeat },
            result(outcome, {
              inputTokens: input,
              outputTokens: output,
              cost,
              wallMs: Math.round(20_000 + random() * 160_000),
              turns,
              toolCalls: turns + Math.floor(random() * 8),
              asks: random() < 0.1 ? 1 : 0,
              denials: random() < 0.2 ? 1 + Math.floor(random() * 2) : 0,
              guardFlags: random() < 0.08 ? 1 : 0,
            }),
          ),
        );
      }
    });
  });
  for (let i = trials.length - pending; i < trials.length; i++) {
    const trial = trials[i] as TrialRecord;
    trials[i] = queuedTrial({
      instanceId: trial.instanceId,
      contestant: trial.contestant,
      repeat: trial.repeat,
    });
  }
  return { run, trials, instanceIds: SAMPLE_INSTANCES };
}
