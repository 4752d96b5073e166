/** The model layer as the rest of Warden sees it: resolve an id to a client, call `turn()`. */
export { createModelClient, type ModelClientOptions, type ModelEndpoint } from './client.ts';
export {
  buildModelConfig,
  type ConfigLayer,
  loadModelConfig,
  loadUserConfigLayer,
  userConfigDir,
} from './config.ts';
export type {
  CompatProviderConfig,
  HostedProviderConfig,
  ModelConfig,
  NamedModelConfig,
} from './config-schema.ts';
export { type ModelRef, type ProviderModelRef, parseModelId, parseProviderModelId } from './model-id.ts';
export { costOf, knownModel } from './prices.ts';
export { type ResolveOptions, resolveModel } from './resolve.ts';
export { type RetryClock, type RetryPolicy, systemClock } from './retry.ts';
export { createScriptedModel, loadScript } from './scripted.ts';
export type * from './types.ts';
