import type { WardenEvent } from '../../agent/events.ts';

export interface ModelTally {
  turns: number;
  inputTokens: number;
  outputTokens: number;
  cost: number | undefined;
}

/** What a session spent so far across all its runs, and how full the context was last asked. */
export interface Spend {
  inputTokens: number;
  outputTokens: number;
  /** Undefined while no model that answered has a price. */
  cost: number | undefined;
  byModel: Record<string, ModelTally>;
  /** The last request's estimated input tokens. */
  contextTokens: number | undefined;
}

export function emptySpend(): Spend {
  return { inputTokens: 0, outputTokens: 0, cost: undefined, byModel: {}, contextTokens: undefined };
}

/** Adds one event to the tally (in place); true when it changed anything. */
export function addToSpend(spend: Spend, event: WardenEvent): boolean {
  if (event.type === 'model.request') {
    spend.contextTokens = event.estimatedInputTokens;
    return true;
  }
  if (event.type === 'context.compacted') {
    spend.contextTokens = undefined;
    return true;
  }
  if (event.type !== 'model.response') return false;
  spend.inputTokens += event.usage.inputTokens;
  spend.outputTokens += event.usage.outputTokens;
  if (event.cost !== undefined) spend.cost = (spend.cost ?? 0) + event.cost;
  const model = spend.byModel[event.model] ?? { turns: 0, inputTokens: 0, outputTokens: 0, cost: undefined };
  spend.byModel[event.model] = model;
  model.turns += 1;
  model.inputTokens += event.usage.inputTokens;
  model.outputTokens += event.usage.outputTokens;
  if (event.cost !== undefined) model.cost = (model.cost ?? 0) + event.cost;
  return true;
}

export function spendOf(events: Iterable<WardenEvent>): Spend {
  const spend = emptySpend();
  for (const event of events) addToSpend(spend, event);
  return spend;
}
