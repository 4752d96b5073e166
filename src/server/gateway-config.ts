/** The `gateway:` section of server.yaml: which Warden model answers which model name a client asks for. */
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import { type ConfigLayer, readConfigLayer } from '../models/config.ts';

export interface GatewayConfig {
  /** Answers every name nothing else matches; none: such names are a 404. */
  default: string | undefined;
  /** Client model name (a `*` matches any run of characters) → Warden model id. */
  aliases: Record<string, string>;
  /** Further Warden ids a client may ask for by their own name. */
  models: string[];
  /** `file:line:col` of each target, so a model that does not resolve at start is found in the file. */
  where: Record<string, string>;
}

const MODEL = z.string().trim().min(1, 'must be a model id, e.g. anthropic:claude-sonnet-4-5');

const gatewaySchema = z
  .strictObject({
    default: MODEL.optional(),
    aliases: z.record(z.string().trim().min(1, 'an alias needs a name'), MODEL).default({}),
    models: z.array(MODEL).default([]),
  })
  .refine(
    (gateway) =>
      gateway.default !== undefined || Object.keys(gateway.aliases).length > 0 || gateway.models.length > 0,
    {
      message:
        'routes no model: set default (and aliases or models), or remove the section to turn the gateway off',
    },
  );

export const GATEWAY_TEMPLATE = `
# The model gateway at /gateway (OpenAI clients: http://HOST:PORT/gateway/v1, Anthropic clients:
# http://HOST:PORT/gateway), for clients holding a virtual key (POST /v1/keys). Off without this
# section. Provider keys come from this process's environment and never reach a client.
# gateway:
#   default: anthropic:claude-sonnet-4-5      # answers every model name nothing else matches
#   aliases: { gpt-5-codex: openai:gpt-5.5, "claude-haiku-*": ollama:qwen2.5-coder }
#   models: [bedrock:anthropic.claude-sonnet-4-5-20250929-v1:0]   # ids clients may name themselves
`;

/**
 * The section as read from `file`, or undefined when there is none (the gateway is off). Errors
 * name `file:line:col` of the offending key.
 */
export function parseGatewayConfig(
  raw: unknown,
  file: string,
  /** How server.yaml spells a model id into a Warden one (relative `script:` paths made absolute). */
  model: (id: string) => string,
): GatewayConfig | undefined {
  if (raw === undefined) return undefined;
  // Positions come from a second, position-keeping read: only errors and start-up checks need them.
  let layer: ConfigLayer | undefined;
  const locate = (path: readonly PropertyKey[]) => {
    layer ??= readConfigLayer(file, 'user');
    return layer.locate?.(['gateway', ...path]) ?? file;
  };
  const parsed = gatewaySchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path ?? [];
    const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const named = ['gateway', ...path, ...(unknown === undefined ? [] : [unknown])].join('.');
    throw new WardenError(
      'server.config',
      unknown === undefined ? `${named}: ${issue?.message}` : `"${named}" is not a known key`,
      {
        where: locate(unknown === undefined ? path : [...path, unknown]),
        hint: 'gateway: takes default (a model id), aliases (name: model id) and models (a list of ids)',
      },
    );
  }
  const where: Record<string, string> = {};
  const aliases = Object.fromEntries(
    Object.entries(parsed.data.aliases).map(([name, id]) => {
      where[model(id)] ??= locate(['aliases', name]);
      return [name, model(id)];
    }),
  );
  const models = parsed.data.models.map((id, index) => {
    where[model(id)] ??= locate(['models', index]);
    return model(id);
  });
  const fallback = parsed.data.default === undefined ? undefined : model(parsed.data.default);
  if (fallback !== undefined) where[fallback] ??= locate(['default']);
  return { default: fallback, aliases, models, where };
}
