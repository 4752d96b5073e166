import { z } from 'zod';
import type { Report } from '../agent/events.ts';

/**
 * A report read back from a session store, which lives in the repository: before it is rendered,
 * every field the renderer reads is checked, so an edited store is "unreadable", never a crash.
 */
const usage = z.looseObject({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
});

const reportSchema = z.looseObject({
  status: z.string(),
  reason: z.string(),
  summary: z.string(),
  filesChanged: z.array(
    z.looseObject({
      path: z.string(),
      kind: z.string(),
      from: z.string().optional(),
      added: z.number(),
      removed: z.number(),
    }),
  ),
  diffStat: z.looseObject({ files: z.number(), added: z.number(), removed: z.number() }),
  commands: z.array(
    z.looseObject({
      command: z.string(),
      exitCode: z.number().nullable(),
      timedOut: z.boolean(),
      durationMs: z.number(),
    }),
  ),
  tokens: usage,
  cost: z.number().optional(),
  byModel: z
    .record(z.string(), z.looseObject({ turns: z.number(), usage, cost: z.number().optional() }))
    .optional(),
  durationMs: z.number(),
  turns: z.number(),
  toolCalls: z.number(),
  toolErrors: z.number(),
  denials: z.number(),
});

export function renderableReport(report: unknown): Report | undefined {
  return reportSchema.safeParse(report).success ? (report as Report) : undefined;
}
