import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WardenError } from '../errors.ts';
import { ApiError, asFieldError, errorResponse } from './api-errors.ts';

const ajv = (instancePath: string, keyword: string, params: Record<string, unknown>, message: string) => ({
  validation: [{ instancePath, keyword, params, message }],
  validationContext: 'body',
  statusCode: 400,
  message: 'x',
});

test('Ajv errors become a 400 naming the field as a dotted path', () => {
  const cases: Array<[ReturnType<typeof ajv>, string, RegExp]> = [
    [
      ajv('', 'required', { missingProperty: 'model' }, "must have required property 'model'"),
      'model',
      /model is required/,
    ],
    [
      ajv('/limits/turns', 'minimum', { limit: 1 }, 'must be >= 1'),
      'limits.turns',
      /limits\.turns must be >= 1/,
    ],
    [
      ajv('/limits', 'additionalProperties', { additionalProperty: 'speed' }, 'x'),
      'limits.speed',
      /not a known field/,
    ],
    [ajv('', 'additionalProperties', { additionalProperty: '' }, 'x'), '""', /^"" is not a known field/],
    [ajv('/policies/2', 'pattern', {}, 'must match pattern'), 'policies[2]', /policies\[2\] must match/],
    [ajv('', 'type', { type: 'object' }, 'must be object'), 'body', /body must be object/],
    [
      ajv('/decision', 'enum', { allowedValues: ['allow', 'deny'] }, 'x'),
      'decision',
      /must be one of: allow, deny/,
    ],
  ];
  for (const [error, field, message] of cases) {
    const { status, body } = errorResponse(error);
    assert.equal(status, 400);
    assert.equal(body.error.field, field);
    assert.equal(body.error.code, 'request.invalid');
    assert.match(body.error.message, message);
  }
  const query = errorResponse({
    ...ajv('/status', 'enum', { allowedValues: ['queued'] }, 'x'),
    validationContext: 'querystring',
  });
  assert.equal(query.body.error.field, 'status');
});

test('API errors keep their status, code, field and hint; the framework 4xx stay 4xx', () => {
  const api = errorResponse(new ApiError(409, 'task.ended', 'it ended', { field: 'id', hint: 'look' }));
  assert.deepEqual(api, {
    status: 409,
    body: { error: { code: 'task.ended', message: 'it ended', field: 'id', hint: 'look' } },
  });
  assert.equal(
    errorResponse({ statusCode: 415, message: 'Unsupported Media Type' }).body.error.code,
    'request.content_type',
  );
  assert.equal(errorResponse({ statusCode: 413, message: 'too large' }).status, 413);
});

test('a security handler refusal is a 401 with its message', () => {
  const refused = new WardenError('auth.unauthenticated', 'no Authorization header');
  const { status, body } = errorResponse({
    statusCode: 401,
    message: 'None of the security schemes…',
    errors: [refused],
  });
  assert.equal(status, 401);
  assert.equal(body.error.message, 'no Authorization header');
});

test("anything else is a 500 that tells the caller nothing of the server's insides", () => {
  const { status, body } = errorResponse(new Error('SQLITE_BUSY at /var/lib/warden/server.db'));
  assert.equal(status, 500);
  assert.doesNotMatch(JSON.stringify(body), /SQLITE|var\/lib/);
  assert.equal(errorResponse(new WardenError('store.open', 'cannot open')).status, 500);
});

test('asFieldError turns a lower-level error about input into a 400 on the named field', () => {
  const error = asFieldError(
    new WardenError('model.script', 'not valid JSON', { where: '/secret/path.json' }),
    'model',
  );
  const { status, body } = errorResponse(error);
  assert.equal(status, 400);
  assert.deepEqual(body.error, { code: 'model.script', message: 'not valid JSON', field: 'model' });
});

test("the framework's refusals of a malformed path are the API's 4xx naming the path", () => {
  for (const [code, status] of [
    ['FST_ERR_BAD_URL', 400],
    ['FST_ERR_MAX_PARAM_LENGTH', 414],
  ] as const) {
    const answer = errorResponse({ code, statusCode: status, message: "'/v1/tasks/%zz' is not valid" });
    assert.equal(answer.status, status);
    assert.equal(answer.body.error.field, 'path');
    assert.equal(answer.body.error.code, 'request.invalid');
  }
});
