/**
 * Amazon Bedrock through the AI SDK's provider (Converse / ConverseStream), with AWS's own
 * rules for finding a region and credentials, so a machine already set up for the AWS CLI
 * works unchanged. Every setting comes from `options.env`, never from `process.env`, so a
 * caller (and a test) decides exactly which environment the model sees.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { messageOf, WardenError } from '../../errors.ts';
import { lazyModel } from './lazy-model.ts';

export interface BedrockModelOptions {
  /** Wins over AWS_REGION, AWS_DEFAULT_REGION and the profile's region. */
  region?: string;
  fetch?: typeof fetch;
  /** The runtime endpoint, e.g. a loopback server in tests or a VPC endpoint. */
  baseURL?: string;
  env: NodeJS.ProcessEnv;
}

interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type CredentialSource = () => Promise<AwsCredentials>;

const CREDENTIALS_HINT =
  'run "aws configure" (or "aws sso login"), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_BEARER_TOKEN_BEDROCK';

/** DNS suffixes of the AWS partitions outside the commercial one, by region prefix. */
const PARTITION_DNS_SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['cn-', 'amazonaws.com.cn'],
  ['us-iso-', 'c2s.ic.gov'],
  ['us-isob-', 'sc2s.sgov.gov'],
  ['eu-isoe-', 'cloud.adc-e.uk'],
  ['us-isof-', 'csp.hci.ic.gov'],
  ['eusc-', 'amazonaws.eu'],
];

/**
 * A Bedrock chat model. A missing region or a half-set key pair throws a `model.credentials`
 * WardenError here; credentials found through the AWS chain (profiles, SSO, web identity,
 * container or instance roles) are resolved on the first call, since the chain is async, and a
 * failure there rejects that call with the same code.
 */
export function createBedrockModel(modelId: string, options: BedrockModelOptions): LanguageModelV4 {
  const { env } = options;
  const region = resolveRegion(options.region, env);
  const apiKey = setting(env.AWS_BEARER_TOKEN_BEDROCK);
  const credentials = apiKey === undefined ? credentialSource(env) : undefined;
  const baseURL = options.baseURL ?? runtimeEndpoint(region, env);
  const model = lazyModel('amazon-bedrock', modelId, async () => {
    const { createAmazonBedrock } = await import('@ai-sdk/amazon-bedrock');
    return createAmazonBedrock({
      region,
      baseURL,
      // An empty key rather than none: the provider reads process.env for a missing one.
      apiKey: apiKey ?? '',
      ...(credentials === undefined ? {} : { credentialProvider: credentials }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    })(modelId);
  });
  return credentials === undefined ? model : withCredentialsFirst(model, credentials);
}

/**
 * Resolves credentials before each call so that a failure surfaces as our error: inside the
 * provider it would be rewrapped into a plain Error. The chain memoizes, so the provider's own
 * lookup right after is free.
 */
function withCredentialsFirst(model: LanguageModelV4, credentials: CredentialSource): LanguageModelV4 {
  return {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: async (callOptions) => {
      await credentials();
      return model.doGenerate(callOptions);
    },
    doStream: async (callOptions) => {
      await credentials();
      return model.doStream(callOptions);
    },
  };
}

function credentialSource(env: NodeJS.ProcessEnv): CredentialSource {
  const accessKeyId = setting(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = setting(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    // Keys in the environment win over a profile, as they do for the AWS CLI.
    const sessionToken = setting(env.AWS_SESSION_TOKEN);
    const fixed: AwsCredentials =
      sessionToken === undefined
        ? { accessKeyId, secretAccessKey }
        : { accessKeyId, secretAccessKey, sessionToken };
    return async () => fixed;
  }
  if (accessKeyId !== undefined || secretAccessKey !== undefined) {
    const missing = accessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY';
    throw new WardenError(
      'model.credentials',
      `incomplete AWS credentials for Bedrock: ${missing} is not set`,
      {
        hint: 'set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither to use your AWS profile',
      },
    );
  }
  // The chain falls back to process.env for what is not passed here; passing the profile and
  // file locations from env keeps the choices that matter with the caller.
  const loadChain = async () => {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    return fromNodeProviderChain({
      ...optional('profile', setting(env.AWS_PROFILE)),
      ...optional('filepath', setting(env.AWS_SHARED_CREDENTIALS_FILE)),
      ...optional('configFilepath', setting(env.AWS_CONFIG_FILE)),
    });
  };
  let chain: ReturnType<typeof loadChain> | undefined;
  return async () => {
    try {
      chain ??= loadChain();
      const found = await (await chain)();
      return {
        accessKeyId: found.accessKeyId,
        secretAccessKey: found.secretAccessKey,
        ...optional('sessionToken', found.sessionToken),
      };
    } catch (error) {
      const reason = messageOf(error).replace(/\s+/g, ' ').trim();
      throw new WardenError('model.credentials', `no AWS credentials found for Bedrock: ${reason}`, {
        hint: CREDENTIALS_HINT,
        cause: error,
      });
    }
  };
}

function resolveRegion(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  const region =
    setting(explicit) ?? setting(env.AWS_REGION) ?? setting(env.AWS_DEFAULT_REGION) ?? profileRegion(env);
  if (region === undefined) {
    throw new WardenError('model.credentials', 'no AWS region for Bedrock', {
      hint: 'set AWS_REGION (e.g. AWS_REGION=us-east-1), "providers.bedrock.region" in warden.config.yaml, or a region in your AWS profile with "aws configure"',
    });
  }
  // The region becomes part of the endpoint's host name; anything but a region name could
  // send signed requests to another host.
  if (!/^[a-z0-9]+(-[a-z0-9]+)+$/.test(region)) {
    throw new WardenError('model.credentials', `invalid AWS region "${region}" for Bedrock`, {
      hint: 'use a region name such as us-east-1',
    });
  }
  return region;
}

/** The region of the active profile in the AWS config file, as the AWS CLI would read it. */
function profileRegion(env: NodeJS.ProcessEnv): string | undefined {
  const home = setting(env.HOME) ?? setting(env.USERPROFILE);
  const file =
    setting(env.AWS_CONFIG_FILE) ?? (home === undefined ? undefined : join(home, '.aws', 'config'));
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // no config file is the common case, not an error
  }
  return regionInConfig(text, setting(env.AWS_PROFILE) ?? 'default');
}

function regionInConfig(text: string, profile: string): string | undefined {
  const sections = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inProfile = false;
  for (const raw of text.split(/\r?\n/)) {
    // Indented lines are sub-settings of another key (e.g. `s3 =`), never the profile's region.
    if (/^\s/.test(raw)) continue;
    const line = raw.replace(/\s[#;].*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) {
      inProfile = sections.includes((section[1] ?? '').replace(/\s+/g, ' '));
      continue;
    }
    const region = inProfile ? /^region\s*=\s*(\S+)$/.exec(line)?.[1] : undefined;
    if (region !== undefined) return region;
  }
  return undefined;
}

/** The runtime endpoint for a region, honouring AWS's endpoint-override variables. */
function runtimeEndpoint(region: string, env: NodeJS.ProcessEnv): string {
  const configured = setting(env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME) ?? setting(env.AWS_ENDPOINT_URL);
  if (configured !== undefined) return configured.replace(/\/+$/, '');
  const suffix = PARTITION_DNS_SUFFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'amazonaws.com';
  return `https://bedrock-runtime.${region}.${suffix}`;
}

/** A variable's value, with unset and blank treated alike. */
function setting(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
