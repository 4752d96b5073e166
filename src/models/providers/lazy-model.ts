import type { LanguageModelV4 } from '@ai-sdk/provider';

/**
 * A model whose provider SDK loads on its first call. Resolving a model id (and checking its
 * credentials) then costs nothing, and a run pays start-up time for its own provider only
 * rather than for every SDK Warden supports.
 */
export function lazyModel(
  provider: string,
  modelId: string,
  load: () => Promise<LanguageModelV4>,
): LanguageModelV4 {
  let loaded: Promise<LanguageModelV4> | undefined;
  const model = (): Promise<LanguageModelV4> => {
    loaded ??= load();
    return loaded;
  };
  return {
    specificationVersion: 'v4',
    provider,
    modelId,
    supportedUrls: {},
    doGenerate: async (options) => (await model()).doGenerate(options),
    doStream: async (options) => (await model()).doStream(options),
  };
}
