/** Small pieces the model tests share: a user config built in code, a turn request, a delta log. */
import { buildModelConfig, type ModelConfig } from '../config.ts';
import type { TurnDelta, TurnRequest } from '../types.ts';

/** A config as if read from the user's own file (trusted: it may set base URLs). */
export function userConfig(data: Record<string, unknown>): ModelConfig {
  return buildModelConfig([{ trust: 'user', source: 'test user config', data }]);
}

/** Retries without real waiting beyond what the server asks (`retry-after: 0`). */
export const FAST_RETRY = { max_attempts: 3, base_delay_ms: 1, max_delay_ms: 5 };

export const READ_FILE_SCHEMA = {
  type: 'object',
  properties: { path: { type: 'string', description: 'Path relative to the workspace root' } },
  required: ['path'],
  additionalProperties: false,
};

export function sampleRequest(overrides: Partial<TurnRequest> = {}): TurnRequest {
  return {
    system: 'You are Warden.',
    messages: [{ role: 'user', text: 'Fix the failing test.' }],
    tools: [{ name: 'read_file', description: 'Read a file', parameters: READ_FILE_SCHEMA }],
    ...overrides,
  };
}

export function deltaLog(): { deltas: TurnDelta[]; onDelta: (delta: TurnDelta) => void; text(): string } {
  const deltas: TurnDelta[] = [];
  return {
    deltas,
    onDelta: (delta) => deltas.push(delta),
    text: () => deltas.map((delta) => (delta.type === 'text' ? delta.text : '')).join(''),
  };
}
