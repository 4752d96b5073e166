/**
 * The model gateway: OpenAI- and Anthropic-compatible endpoints in front of any Warden model,
 * for third-party agents (`warden wrap`) and `warden serve`. Clients hold virtual keys; the
 * provider keys stay in Warden; prompts are redacted; every call is a record.
 */
export { sendClientError } from './client-error.ts';
export {
  type BudgetCheck,
  checkKeyBudget,
  createVirtualKeys,
  hashVirtualKey,
  type IssuedKey,
  type KeyBudget,
  type KeySpend,
  type KeyVerifier,
  newVirtualKey,
  type StoredVirtualKey,
  type VirtualKeys,
  validateKeyBudget,
} from './keys.ts';
export { type GatewayOptions, gatewayPlugin } from './plugin.ts';
export {
  createModelRouter,
  type ModelRoute,
  type ModelRouter,
  type ModelRouterOptions,
  type RouteTable,
} from './router.ts';
export { type RunningGateway, type StartGatewayOptions, startGateway } from './server.ts';
export type { GatewayApi, GatewayCall, GatewayErrorKind } from './types.ts';
