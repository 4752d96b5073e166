import type { Duplex } from 'node:stream';
import { isWardenError, WardenError } from '../errors.ts';

/** The request's fault, from a check below the API: the route names the field it came from. */
export function asFieldError(error: unknown, field: string): unknown {
  if (!isWardenError(error) || error instanceof ApiError) return error;
  return new ApiError(400, error.code, error.message, { field, ...(error.hint ? { hint: error.hint } : {}) });
}

/** A refusal the API sends as `{error: {code, message, field, hint}}` with an HTTP status. */
export class ApiError extends WardenError {
  readonly status: number;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { field?: string; hint?: string } = {},
  ) {
    super(code, message, {
      ...(options.field === undefined ? {} : { where: options.field }),
      ...(options.hint === undefined ? {} : { hint: options.hint }),
    });
    this.status = status;
  }
}

export const notFound = (what: string, field = 'id') =>
  new ApiError(404, 'not_found', `${what} not found`, { field });

export const forbidden = (reason: string) =>
  new ApiError(403, 'auth.forbidden', reason, { hint: 'ask an admin for a role that allows it' });

export interface ErrorBody {
  error: { code: string; message: string; field?: string; hint?: string };
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

interface FastifyishError {
  statusCode?: number;
  code?: string;
  message: string;
  validation?: AjvError[];
  validationContext?: string;
  /** The glue's security errors carry what each security handler threw. */
  errors?: unknown[];
}

/**
 * Any error a request ended with, as a status and the body a client can act on. Bad input is
 * always a 4xx naming the field; only a fault of the server's own is a 500, and says nothing more.
 */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) return { status: error.status, body: bodyOf(error) };
  const e = error as FastifyishError;
  if (e?.validation?.length) return { status: 400, body: validationBody(e.validation, e.validationContext) };
  const fromSecurity = e?.errors?.find(isWardenError);
  // A refusal of a known caller (a cookie's request without its CSRF token) keeps its 403.
  if (fromSecurity)
    return {
      status: fromSecurity instanceof ApiError ? fromSecurity.status : 401,
      body: bodyOf(fromSecurity),
    };
  if (e?.code === 'FST_ERR_BAD_URL' || e?.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    const tooLong = e.code === 'FST_ERR_MAX_PARAM_LENGTH';
    return {
      status: tooLong ? 414 : 400,
      body: {
        error: {
          code: 'request.invalid',
          message: tooLong ? 'a path parameter is longer than any id' : 'the path has a malformed %-escape',
          field: 'path',
          hint: 'percent-encode path parameters (encodeURIComponent)',
        },
      },
    };
  }
  const status = e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      body: {
        error: {
          code:
            status === 415
              ? 'request.content_type'
              : status === 413
                ? 'request.too_large'
                : 'request.invalid',
          message: e.message,
          field: 'body',
        },
      },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal', message: 'the server failed; its log says why' } },
  };
}

function bodyOf(error: WardenError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.where === undefined ? {} : { field: error.where }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    },
  };
}

/** Ajv's first complaint as a field path a person can find in their request. */
function validationBody(errors: AjvError[], context: string | undefined): ErrorBody {
  const [first] = errors as [AjvError];
  const path = first.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  let message = first.message ?? 'is invalid';
  if (first.keyword === 'required') path.push(String(first.params.missingProperty));
  if (first.keyword === 'additionalProperties') {
    // A name that cannot be read in a path (empty, or only spaces) is quoted.
    const name = String(first.params.additionalProperty);
    path.push(name.trim() === '' ? JSON.stringify(name) : name);
    message = 'is not a known field';
  }
  if (first.keyword === 'enum')
    message = `must be one of: ${(first.params.allowedValues as unknown[]).join(', ')}`;
  if (first.keyword === 'required') message = 'is required';
  const field =
    path.length > 0
      ? path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i ? `.${p}` : p)).join('')
      : fallbackField(context);
  return { error: { code: 'request.invalid', message: `${field} ${message}`, field } };
}

function fallbackField(context: string | undefined): string {
  if (context === 'querystring') return 'query';
  return context ?? 'body';
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (request line and headers over
 * 16 KB, bytes that are not HTTP, a request too slow to arrive), answered in the API's one error
 * shape rather than the framework's, then the connection closed.
 */
export function writeClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, body]: [number, string, ErrorBody] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          {
            error: {
              code: 'request.too_large',
              message: 'the request line and headers together exceed 16 KB',
              field: 'request',
              hint: 'send long values in a JSON body, not in the URL or headers',
            },
          },
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            408,
            'Request Timeout',
            { error: { code: 'request.timeout', message: 'the request did not arrive in time' } },
          ]
        : [
            400,
            'Bad Request',
            {
              error: {
                code: 'request.malformed',
                message: 'the request is not valid HTTP',
                field: 'request',
              },
            },
          ];
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}
