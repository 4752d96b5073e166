/** The conversation as Warden stores it; the model layer converts it to each provider's format. */
export type Message =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; toolCalls: ToolCall[] }
  | { role: 'tool'; results: ToolCallResult[] };

export interface ToolCall {
  id: string;
  name: string;
  /** Arguments exactly as the model sent them: unparsed JSON text, possibly invalid. */
  input: string;
}

export interface ToolCallResult {
  callId: string;
  toolName: string;
  output: string;
  isError: boolean;
}

/** What a tool looks like to the model. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** USD per million tokens. */
export interface Price {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface ModelInfo {
  /** The id as the user wrote it, e.g. `openai:gpt-5.5` or `script:fix.json`. */
  id: string;
  provider: string;
  model: string;
  /** Tokens the model can hold; drives compaction. */
  contextWindow: number;
  price: Price | undefined;
}

export interface TurnRequest {
  system: string;
  messages: Message[];
  tools: ToolSpec[];
  maxOutputTokens?: number;
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'tool-calls' | 'length' | 'content-filter' | 'error' | 'other';

export interface Turn {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  /** USD, when the model has a price. */
  cost: number | undefined;
  finishReason: FinishReason;
  /** The model that answered: the fallback, when the primary failed. */
  modelId: string;
  attempts: number;
}

/** Live deltas while a turn streams, for the live view. */
export type TurnDelta =
  | { type: 'text'; text: string }
  | { type: 'retry'; attempt: number; delayMs: number; reason: string };

/** One model (with its fallbacks and retries) as the agent sees it. */
export interface ModelClient {
  readonly info: ModelInfo;
  turn(request: TurnRequest, onDelta?: (delta: TurnDelta) => void): Promise<Turn>;
}
