import {
  ALNUM,
  ALPHA,
  assigned,
  BASE64URL,
  chars,
  HEX,
  LOWER_ALNUM,
  oneOf,
  prefixed,
  type SecretRule,
  UUID,
  WORD,
} from './rule.ts';

/**
 * Model providers and AI tooling. The specific `sk-…` prefixes (Anthropic, OpenRouter, Langfuse)
 * come before OpenAI's, which takes any other `sk-` key.
 */
export const AI_RULES: readonly SecretRule[] = [
  prefixed('anthropic-admin-key', ['sk-ant-admin01-', chars(BASE64URL, [20, Infinity])], {
    sample: { secret: ['sk-ant-admin01-', chars(BASE64URL, 93), 'AA'] },
  }),
  prefixed('anthropic-key', ['sk-ant-', chars(BASE64URL, [20, Infinity])], {
    sample: { secret: ['sk-ant-api03-', chars(BASE64URL, 93), 'AA'] },
  }),
  prefixed('openrouter-key', ['sk-or-v1-', chars(HEX, 64)]),
  prefixed('langfuse-secret-key', ['sk-lf-', ...UUID]),
  assigned('deepseek-key', ['sk-', chars(HEX, 32)], {
    keywords: ['deepseek'],
    names: ['DEEPSEEK_API_KEY', 'deepseekApiKey'],
  }),
  prefixed(
    'openai-key',
    ['sk-', oneOf('', 'proj-', 'svcacct-', 'admin-', 'None-'), chars(BASE64URL, [20, Infinity])],
    {
      keywords: ['sk-'],
      sample: {
        secret: [
          'sk-',
          oneOf('proj-', 'svcacct-', 'admin-'),
          chars(BASE64URL, [64, 120]),
          'T3BlbkFJ',
          chars(BASE64URL, [64, 120]),
        ],
      },
    },
  ),
  prefixed('huggingface-token', ['hf_', chars(ALNUM, [30, 40])], {
    sample: { secret: ['hf_', chars(ALPHA, 34)] },
  }),
  prefixed('huggingface-org-token', ['api_org_', chars(ALNUM, [30, 40])], {
    sample: { secret: ['api_org_', chars(ALPHA, 34)] },
  }),
  prefixed('groq-key', ['gsk_', chars(ALNUM, 52)]),
  prefixed('xai-key', ['xai-', chars(ALNUM, 80)]),
  prefixed('perplexity-key', ['pplx-', chars(ALNUM, 48)]),
  prefixed('replicate-token', ['r8_', chars(ALNUM, 37)]),
  prefixed('langsmith-key', ['lsv2_', oneOf('pt_', 'sk_'), chars(HEX, 32), '_', chars(HEX, 10)]),
  prefixed('pinecone-key', ['pcsk_', chars(ALNUM, [4, 8]), '_', chars(ALNUM, [50, 80])], {
    sample: { secret: ['pcsk_', chars(ALNUM, 6), '_', chars(ALNUM, 64)] },
  }),
  prefixed('nvidia-api-key', ['nvapi-', chars(BASE64URL, 64)]),
  prefixed('cerebras-key', ['csk-', chars(LOWER_ALNUM, 48)]),
  prefixed('tavily-key', ['tvly-', oneOf('', 'dev-', 'prod-'), chars(ALNUM, 32)]),
  prefixed('fireworks-key', ['fw_', chars(ALNUM, 24)]),
  prefixed('together-key', ['tgp_v1_', chars(BASE64URL, 43)]),
  prefixed('elevenlabs-key', ['sk_', chars(HEX, 48)]),
  prefixed('weights-and-biases-key', ['wandb_v1_', chars(ALNUM, [40, 80])], {
    sample: { secret: ['wandb_v1_', chars(ALNUM, 60)] },
  }),
  assigned('weights-and-biases-legacy-key', [chars(HEX, 40)], {
    keywords: ['wandb'],
    names: ['WANDB_API_KEY'],
  }),
  assigned('together-legacy-key', [chars(HEX, 64)], {
    keywords: ['together'],
    name: 'together[\\w.-]{0,20}?(?:key|token)',
    names: ['TOGETHER_API_KEY'],
  }),
  assigned('mistral-key', [chars(ALNUM, 32)], {
    keywords: ['mistral'],
    names: ['MISTRAL_API_KEY', 'mistralApiKey'],
  }),
  assigned('cohere-key', [chars(ALNUM, 40)], {
    keywords: ['cohere', 'co_api_key'],
    names: ['COHERE_API_KEY', 'CO_API_KEY'],
  }),
  assigned('assemblyai-key', [chars(HEX, 32)], {
    keywords: ['assemblyai', 'assembly_ai'],
    names: ['ASSEMBLYAI_API_KEY'],
  }),
  assigned('deepgram-key', [chars(HEX, 40)], {
    keywords: ['deepgram'],
    names: ['DEEPGRAM_API_KEY'],
  }),
  assigned('voyage-key', ['pa-', chars(BASE64URL, 43)], {
    keywords: ['voyage'],
    names: ['VOYAGE_API_KEY'],
  }),
  assigned('jina-key', ['jina_', chars(ALNUM, 60)], {
    keywords: ['jina'],
    names: ['JINA_API_KEY'],
  }),
  assigned('serpapi-key', [chars(HEX, 64)], {
    keywords: ['serpapi', 'serp_api'],
    names: ['SERPAPI_API_KEY'],
  }),
  assigned('exa-key', UUID, {
    keywords: ['exa_api_key', 'exa-api-key'],
    names: ['EXA_API_KEY'],
  }),
  assigned('runpod-key', [chars(WORD, [32, 48])], {
    keywords: ['runpod'],
    names: ['RUNPOD_API_KEY'],
    sample: { secret: ['rpa_', chars(ALNUM, 44)], names: ['RUNPOD_API_KEY'] },
  }),
];
