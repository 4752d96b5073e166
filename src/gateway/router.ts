import { WardenError } from '../errors.ts';
import { type ResolveOptions, resolveModel } from '../models/resolve.ts';
import type { ModelClient } from '../models/types.ts';

/** Which Warden model answers which model name a client asks for. */
export interface RouteTable {
  /**
   * Client model name → Warden model id (or a model named in the config). A `*` in a name
   * matches any run of characters (`claude-*`), so dated snapshot names need no entry each;
   * exact names win over patterns, patterns are tried in order.
   */
  aliases?: Record<string, string>;
  /** Answers every name nothing else matches; the config's `default_model` when not given. */
  default?: string;
  /**
   * Further Warden ids (or names from the config's `models:`) a client may ask for by their own
   * name. A model the config names is reachable only when listed here or as an alias target:
   * the config may come from the repository, which must not widen what the gateway serves.
   */
  models?: string[];
}

export type ModelRouterOptions = RouteTable &
  (
    | ResolveOptions
    /** Build the client for a Warden id some other way (tests, or a server with its own cache). */
    | { resolve: (id: string) => ModelClient; config?: ResolveOptions['config'] }
  );

export interface ModelRoute {
  /** The name the client asked for. */
  requested: string | undefined;
  /** The Warden model id it was routed to (before any fallback). */
  target: string;
  client: ModelClient;
}

export interface ModelRouter {
  /** The names a client may ask for: aliases without patterns, then the Warden ids. */
  names(): string[];
  /** Throws WardenError `gateway.model` when nothing answers the name. */
  route(requested: string | undefined): ModelRoute;
}

function patternOf(name: string): RegExp {
  const escaped = name.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

/**
 * The gateway's model table. A client is untrusted (a wrapped agent runs whatever its model
 * says), so it may only reach models the operator configured: a name it sends is never taken
 * as a Warden id on its own — `script:/etc/passwd` or `openai:o3` on the company key are only
 * reachable when listed, and a model named in the config (`models.<name>`, which a repository's
 * config may set) only when the table names it. Every target is resolved up front, once: a misconfigured table fails
 * at start, and each model keeps one client (the scripted model's turn counter, for one).
 */
export function createModelRouter(options: ModelRouterOptions): ModelRouter {
  const resolve =
    'resolve' in options ? options.resolve : (id: string) => resolveModel(id, options as ResolveOptions);
  const aliases = options.aliases ?? {};
  const fallback = options.default ?? options.config?.defaultModel;

  const exact = new Map<string, string>();
  const patterns: Array<{ pattern: RegExp; target: string }> = [];
  for (const [name, target] of Object.entries(aliases)) {
    if (name.includes('*')) patterns.push({ pattern: patternOf(name), target });
    else exact.set(name, target);
  }
  const defaultTarget = fallback === undefined ? undefined : (exact.get(fallback) ?? fallback);
  const targets = new Set<string>([
    ...exact.values(),
    ...patterns.map((entry) => entry.target),
    ...(options.models ?? []),
    ...(defaultTarget === undefined ? [] : [defaultTarget]),
  ]);

  const clients = new Map<string, ModelClient>();
  for (const target of targets) {
    try {
      clients.set(target, resolve(target));
    } catch (error) {
      if (!(error instanceof WardenError)) throw error;
      throw new WardenError(error.code, `gateway model ${target}: ${error.message}`, {
        where: error.where ?? 'gateway routes',
        ...(error.hint === undefined ? {} : { hint: error.hint }),
        cause: error,
      });
    }
  }

  const targetOf = (requested: string | undefined): string | undefined => {
    if (requested === undefined || requested === '') return defaultTarget;
    const alias = exact.get(requested);
    if (alias !== undefined) return alias;
    if (targets.has(requested)) return requested;
    const matched = patterns.find((entry) => entry.pattern.test(requested));
    return matched?.target ?? defaultTarget;
  };

  return {
    names: () => [...new Set([...exact.keys(), ...targets])],
    route(requested) {
      const target = targetOf(requested);
      if (target === undefined) {
        throw new WardenError('gateway.model', `no model "${requested ?? ''}" on this gateway`, {
          hint: `ask for one of: ${[...exact.keys(), ...targets].join(', ') || '(none configured)'}`,
        });
      }
      // Every target was resolved up front; nothing outside the table is ever built.
      const client = clients.get(target) as ModelClient;
      return { requested, target, client };
    },
  };
}
