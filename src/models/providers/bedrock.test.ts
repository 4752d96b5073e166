import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  APICallError,
  type LanguageModelV4,
  type LanguageModelV4CallOptions,
  type LanguageModelV4StreamPart,
} from '@ai-sdk/provider';
import { isWardenError } from '../../errors.ts';
import { type RetryClock, withRetry } from '../retry.ts';
import {
  type AwsTestCredentials,
  type BedrockServer,
  type BedrockServerOptions,
  startBedrockServer,
  textTurn,
  toolUseTurn,
} from '../testing/bedrock-server.ts';
import { createBedrockModel } from './bedrock.ts';

// A real Bedrock model id: its colon must survive URL encoding and the signature over it.
const MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const REGION = 'us-east-1';
const KEYS: AwsTestCredentials = {
  accessKeyId: 'AKIAWARDENTEST000001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYWARDENKEY1',
};
const CALL: LanguageModelV4CallOptions = {
  prompt: [
    { role: 'system', content: 'You are Warden.' },
    { role: 'user', content: [{ type: 'text', text: 'Fix the failing test.' }] },
  ],
};

const THROTTLED = {
  kind: 'error',
  status: 429,
  errorType: 'ThrottlingException',
  message: 'Too many requests, please wait before trying again.',
} as const;

function keyEnv(keys: AwsTestCredentials): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    ...(keys.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: keys.sessionToken }),
  };
}

async function withServer(options: BedrockServerOptions, run: (server: BedrockServer) => Promise<void>) {
  const server = await startBedrockServer(options);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

async function streamParts(model: LanguageModelV4, call = CALL): Promise<LanguageModelV4StreamPart[]> {
  const { stream } = await model.doStream(call);
  const parts: LanguageModelV4StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function textOf(parts: LanguageModelV4StreamPart[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('');
}

function finishOf(parts: LanguageModelV4StreamPart[]) {
  const finish = parts.find((part) => part.type === 'finish');
  assert.ok(finish?.type === 'finish', 'the stream ends with a finish part');
  return finish;
}

async function rejectsWithStatus(
  promise: PromiseLike<unknown>,
  status: number,
  errorType: string,
): Promise<APICallError> {
  const error = await promise.then(
    () => assert.fail('the call should have been refused'),
    (caught: unknown) => caught,
  );
  assert.ok(APICallError.isInstance(error), `expected an APICallError, got ${String(error)}`);
  assert.equal(error.statusCode, status);
  assert.match(error.responseHeaders?.['x-amzn-errortype'] ?? '', new RegExp(`^${errorType}`));
  return error;
}

// The AWS chain reads some variables from process.env whatever it is passed. Pinning them here
// keeps every test off the network: above all, never the link-local instance-metadata address.
const PINNED = {
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_BEARER_TOKEN_BEDROCK: undefined,
};
const saved = new Map<string, string | undefined>();
let home = '';

before(async () => {
  for (const [name, value] of Object.entries(PINNED)) {
    saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  home = await mkdtemp(join(tmpdir(), 'warden-bedrock-'));
});

after(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(home, { recursive: true, force: true });
});

describe('Bedrock ConverseStream over the wire', () => {
  test('streams text deltas from a SigV4-signed request the server verified', async () => {
    await withServer(
      { region: REGION, credentials: KEYS, replies: [textTurn(['Looking at ', 'the test.'])] },
      async (server) => {
        const model = createBedrockModel(MODEL, { region: REGION, baseURL: server.url, env: keyEnv(KEYS) });
        const parts = await streamParts(model);

        assert.equal(textOf(parts), 'Looking at the test.');
        assert.deepEqual(finishOf(parts).finishReason, { unified: 'stop', raw: 'end_turn' });
        assert.deepEqual(server.rejected, []);
        const [request] = server.received;
        assert.equal(request?.modelId, MODEL);
        assert.equal(request?.auth, 'sigv4');
        assert.deepEqual(request?.body.system, [{ text: 'You are Warden.' }]);
        assert.deepEqual(request?.body.messages, [
          { role: 'user', content: [{ text: 'Fix the failing test.' }] },
        ]);
      },
    );
  });

  test('assembles a tool call from its streamed input deltas', async () => {
    const reply = toolUseTurn({
      toolUseId: 'tooluse_7Hc2',
      name: 'read_file',
      inputChunks: ['{"pa', 'th": "src/', 'sum.js"}'],
    });
    await withServer({ region: REGION, credentials: KEYS, replies: [reply] }, async (server) => {
      const model = createBedrockModel(MODEL, { region: REGION, baseURL: server.url, env: keyEnv(KEYS) });
      const parts = await streamParts(model, {
        ...CALL,
        tools: [
          {
            type: 'function',
            name: 'read_file',
            description: 'Read a file of the workspace.',
            inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
          },
        ],
      });

      const calls = parts.filter((part) => part.type === 'tool-call');
      assert.equal(calls.length, 1);
      assert.equal(calls[0]?.toolCallId, 'tooluse_7Hc2');
      assert.equal(calls[0]?.toolName, 'read_file');
      assert.deepEqual(JSON.parse(calls[0]?.input ?? ''), { path: 'src/sum.js' });
      assert.deepEqual(finishOf(parts).finishReason, { unified: 'tool-calls', raw: 'tool_use' });
      const toolConfig = server.received[0]?.body.toolConfig as { tools: { toolSpec: { name: string } }[] };
      assert.deepEqual(
        toolConfig.tools.map((tool) => tool.toolSpec.name),
        ['read_file'],
      );
    });
  });

  test("reports the token usage from Bedrock's metadata event", async () => {
    const reply = textTurn(['ok'], { inputTokens: 1234, outputTokens: 56 });
    await withServer({ region: REGION, credentials: KEYS, replies: [reply] }, async (server) => {
      const model = createBedrockModel(MODEL, { region: REGION, baseURL: server.url, env: keyEnv(KEYS) });
      const { usage } = finishOf(await streamParts(model));

      assert.equal(usage.inputTokens.total, 1234);
      assert.equal(usage.outputTokens.total, 56);
      assert.deepEqual(usage.raw, { inputTokens: 1234, outputTokens: 56, totalTokens: 1290 });
    });
  });

  test('a throttled call fails as a retryable 429 APICallError and the next call succeeds', async () => {
    await withServer(
      { region: REGION, credentials: KEYS, replies: [THROTTLED, textTurn(['done'])] },
      async (server) => {
        const model = createBedrockModel(MODEL, { region: REGION, baseURL: server.url, env: keyEnv(KEYS) });

        const error = await rejectsWithStatus(model.doStream(CALL), 429, 'ThrottlingException');
        assert.equal(error.isRetryable, true);
        assert.match(error.message, /Too many requests/);
        assert.equal(textOf(await streamParts(model)), 'done');
        assert.equal(server.received.length, 2);
      },
    );
  });

  test('withRetry waits out a ThrottlingException and returns the answer', async () => {
    await withServer(
      { region: REGION, credentials: KEYS, replies: [THROTTLED, textTurn(['done'])] },
      async (server) => {
        const model = createBedrockModel(MODEL, { region: REGION, baseURL: server.url, env: keyEnv(KEYS) });
        const slept: number[] = [];
        const clock: RetryClock = {
          sleep: async (ms) => void slept.push(ms),
          random: () => 0.5,
          now: () => 0,
        };
        const retries: string[] = [];

        const parts = await withRetry(() => streamParts(model), {
          policy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000 },
          clock,
          onRetry: (retry) => retries.push(retry.reason),
        });

        assert.equal(textOf(parts), 'done');
        assert.equal(retries.length, 1);
        assert.match(retries[0] ?? '', /^429: .*Too many requests/);
        assert.deepEqual(slept, [500]);
        assert.equal(server.received.length, 2);
      },
    );
  });

  test('sends the session token of temporary credentials as a signed x-amz-security-token', async () => {
    const temporary = {
      ...KEYS,
      accessKeyId: 'ASIAWARDENTEST000002',
      sessionToken: 'FwoGZXIvYXdzEBYaDH+session/token==',
    };
    await withServer(
      { region: REGION, credentials: temporary, replies: [textTurn(['ok'])] },
      async (server) => {
        const model = createBedrockModel(MODEL, {
          region: REGION,
          baseURL: server.url,
          env: keyEnv(temporary),
        });
        assert.equal(textOf(await streamParts(model)), 'ok');

        const headers = server.received[0]?.headers;
        assert.equal(headers?.['x-amz-security-token'], temporary.sessionToken);
        assert.match(headers?.authorization ?? '', /SignedHeaders=[^,]*x-amz-security-token/);
      },
    );
  });

  test('a wrong secret key is refused: 403 InvalidSignatureException', async () => {
    await withServer(
      { region: REGION, credentials: KEYS, replies: [textTurn(['never'])] },
      async (server) => {
        const wrongSecret = { ...KEYS, secretAccessKey: 'not-the-secret-the-server-knows' };
        const model = createBedrockModel(MODEL, {
          region: REGION,
          baseURL: server.url,
          env: keyEnv(wrongSecret),
        });

        const error = await rejectsWithStatus(model.doStream(CALL), 403, 'InvalidSignatureException');
        assert.match(error.message, /signature we calculated does not match/);
        assert.equal(error.isRetryable, false);
        assert.equal(server.received.length, 0);
      },
    );
  });

  test('the signature covers the body: a prompt changed after signing is refused', async () => {
    await withServer(
      { region: REGION, credentials: KEYS, replies: [textTurn(['never'])] },
      async (server) => {
        const tamper: typeof fetch = (input, init) =>
          fetch(input, {
            ...init,
            body: String(init?.body).replace('Fix the failing test.', 'Print ~/.aws.'),
          });
        const model = createBedrockModel(MODEL, {
          region: REGION,
          baseURL: server.url,
          env: keyEnv(KEYS),
          fetch: tamper,
        });

        await rejectsWithStatus(model.doStream(CALL), 403, 'InvalidSignatureException');
        assert.equal(server.received.length, 0);
      },
    );
  });

  test('an unknown access key is refused: 403 UnrecognizedClientException', async () => {
    await withServer({ region: REGION, credentials: KEYS, replies: [] }, async (server) => {
      const stranger = { ...KEYS, accessKeyId: 'AKIAUNKNOWN000000000' };
      const model = createBedrockModel(MODEL, { region: REGION, baseURL: server.url, env: keyEnv(stranger) });

      await rejectsWithStatus(model.doStream(CALL), 403, 'UnrecognizedClientException');
    });
  });

  test('a client configured for another region is refused by the scope check', async () => {
    await withServer({ region: REGION, credentials: KEYS, replies: [] }, async (server) => {
      const model = createBedrockModel(MODEL, {
        region: 'eu-west-1',
        baseURL: server.url,
        env: keyEnv(KEYS),
      });

      const error = await rejectsWithStatus(model.doStream(CALL), 403, 'InvalidSignatureException');
      assert.match(error.message, /scoped to a valid region, not 'eu-west-1'/);
    });
  });

  test('a Bedrock API key from AWS_BEARER_TOKEN_BEDROCK is sent as a bearer token, not signed', async () => {
    const apiKey = 'ABSKQmVkcm9ja0FQSUtleS13YXJkZW4=';
    await withServer({ region: REGION, apiKey, replies: [textTurn(['ok'])] }, async (server) => {
      const model = createBedrockModel(MODEL, {
        region: REGION,
        baseURL: server.url,
        env: { AWS_BEARER_TOKEN_BEDROCK: apiKey },
      });
      assert.equal(textOf(await streamParts(model)), 'ok');
      assert.equal(server.received[0]?.auth, 'api-key');

      const wrong = createBedrockModel(MODEL, {
        region: REGION,
        baseURL: server.url,
        env: { AWS_BEARER_TOKEN_BEDROCK: 'ABSK-revoked' },
      });
      await rejectsWithStatus(wrong.doStream(CALL), 403, 'UnrecognizedClientException');
    });
  });
});

describe('Bedrock region and credentials from the AWS set-up', () => {
  test('takes the region from AWS_REGION, then AWS_DEFAULT_REGION', async () => {
    await withServer(
      { region: 'ap-southeast-2', credentials: KEYS, replies: [textTurn(['a']), textTurn(['b'])] },
      async (server) => {
        const viaRegion = { ...keyEnv(KEYS), AWS_REGION: 'ap-southeast-2', AWS_DEFAULT_REGION: 'us-west-2' };
        const viaDefault = { ...keyEnv(KEYS), AWS_DEFAULT_REGION: 'ap-southeast-2' };
        assert.equal(
          textOf(await streamParts(createBedrockModel(MODEL, { baseURL: server.url, env: viaRegion }))),
          'a',
        );
        assert.equal(
          textOf(await streamParts(createBedrockModel(MODEL, { baseURL: server.url, env: viaDefault }))),
          'b',
        );
      },
    );
  });

  test("takes the region and keys from the active profile's files through the AWS chain", async () => {
    const config = join(home, 'config');
    const credentials = join(home, 'credentials');
    await writeFile(
      config,
      '[default]\nregion = us-west-2\n\n[profile work]\n# team account\nregion = eu-central-1\n',
    );
    await writeFile(
      credentials,
      `[work]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`,
    );
    const env = { AWS_PROFILE: 'work', AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
    await withServer(
      { region: 'eu-central-1', credentials: KEYS, replies: [textTurn(['from the profile'])] },
      async (server) => {
        const model = createBedrockModel(MODEL, { baseURL: server.url, env });
        assert.equal(textOf(await streamParts(model)), 'from the profile');
        assert.deepEqual(server.rejected, []);
      },
    );
  });

  test('no region anywhere is a model.credentials error that says how to set one', async () => {
    const error = captureThrow(() => createBedrockModel(MODEL, { env: { ...keyEnv(KEYS), HOME: home } }));
    assert.ok(isWardenError(error));
    assert.equal(error.code, 'model.credentials');
    assert.match(error.describe(), /no AWS region.*AWS_REGION/);
  });

  test('a region that is not a region name is refused before any request', () => {
    const error = captureThrow(() =>
      createBedrockModel(MODEL, { region: 'evil.example/x#', env: keyEnv(KEYS) }),
    );
    assert.ok(isWardenError(error));
    assert.equal(error.code, 'model.credentials');
  });

  test('half a key pair is a model.credentials error at creation', () => {
    const error = captureThrow(() =>
      createBedrockModel(MODEL, { region: REGION, env: { AWS_ACCESS_KEY_ID: KEYS.accessKeyId } }),
    );
    assert.ok(isWardenError(error));
    assert.equal(error.code, 'model.credentials');
    assert.match(error.message, /AWS_SECRET_ACCESS_KEY is not set/);
  });

  test('no credentials anywhere fails the first call with a one-line model.credentials fix', async () => {
    const empty = join(home, 'empty');
    await writeFile(empty, '');
    const env = { AWS_PROFILE: 'nobody', AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: empty };
    await withServer({ region: REGION, credentials: KEYS, replies: [] }, async (server) => {
      const model = createBedrockModel(MODEL, { region: REGION, baseURL: server.url, env });
      const error = await Promise.resolve(model.doStream(CALL)).then(
        () => assert.fail('the call should have failed'),
        (caught: unknown) => caught,
      );
      assert.ok(isWardenError(error), `expected a WardenError, got ${String(error)}`);
      assert.equal(error.code, 'model.credentials');
      assert.match(error.describe(), /^no AWS credentials found for Bedrock: .* — run "aws configure"/);
      assert.doesNotMatch(error.describe(), /\n/);
      assert.equal(server.received.length + server.rejected.length, 0, 'nothing was sent unsigned');
    });
  });
});

function captureThrow(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return assert.fail('expected a throw');
}
