import { messageOf } from '../errors.ts';

/** GitHub's own limits, so a request that would fail anyway is refused before anything is sent. */
export const MAX_TITLE_CHARS = 256;
export const MAX_BODY_CHARS = 65_536;
/** Largest answer read; a pull request's JSON is a few kilobytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** The JSON fields of `POST /repos/{owner}/{repo}/pulls`. */
export interface PullRequestPayload {
  title: string;
  body: string;
  base: string;
  head: string;
  draft: boolean;
}

/**
 * Title and body as they will be published: they are the model's text, so they pass the redactor
 * first (a secret it was shown, or guessed, is published as its placeholder), then the length caps
 * and the character rules.
 */
export function publishableText(
  input: { title: string; body: string },
  redact: (text: string) => string,
): { title: string; body: string } | { problem: string } {
  const title = redact(input.title);
  const body = redact(input.body);
  if (title.length > MAX_TITLE_CHARS)
    return { problem: `the title is ${title.length} characters; at most ${MAX_TITLE_CHARS} are sent` };
  if (body.length > MAX_BODY_CHARS)
    return { problem: `the body is ${body.length} characters; at most ${MAX_BODY_CHARS} are sent` };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(title))
    return { problem: 'the title has a line break or control character' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(body))
    return { problem: 'the body has a control character (line breaks and tabs are fine)' };
  return { title, body };
}

export interface ApiRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A REST call on a repository: the token in the header only, the text only as JSON fields. */
export function repositoryRequest(
  api: string,
  repository: { owner: string; repo: string },
  token: string,
  call: { pulls: PullRequestPayload } | 'repository',
): ApiRequest {
  const path = `${api}/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.repo)}`;
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': 'warden-broker',
  };
  if (call === 'repository') return { method: 'GET', url: path, headers };
  return {
    method: 'POST',
    url: `${path}/pulls`,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(call.pulls),
  };
}

export type ApiAnswer = { status: number; json: unknown } | { unreachable: string };

/**
 * Makes one call. Redirects are not followed (the token would go wherever the answer pointed),
 * and a slow or huge answer is cut off.
 */
export async function send(
  request: ApiRequest,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<ApiAnswer> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    const text = await readCapped(response);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text.slice(0, 500);
    }
    return { status: response.status, json };
  } catch (error) {
    if (timeout.aborted) return { unreachable: `no answer within ${Math.round(options.timeoutMs / 1000)} s` };
    return { unreachable: messageOf((error as { cause?: unknown }).cause ?? error) };
  }
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) throw new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type PullRequestAnswer =
  | { ok: true; number: number; url: string }
  | { ok: false; status: number; message: string };

/**
 * What the API said to `POST …/pulls`, for the model: the new pull request, or GitHub's own
 * message with what to do about it. The text is the API's and is handled as untrusted.
 */
export function pullRequestAnswer(
  status: number,
  json: unknown,
  who: { repository: string; credential: string },
): PullRequestAnswer {
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (status === 201 && typeof body.number === 'number' && typeof body.html_url === 'string')
    return { ok: true, number: body.number, url: body.html_url };
  const said = apiMessage(json);
  const hint = hintFor(status, said, who);
  return { ok: false, status, message: [said, hint].filter(Boolean).join(' — ') };
}

/** What to do about an answer that opened nothing. */
function hintFor(
  status: number,
  said: string,
  who: { repository: string; credential: string },
): string | undefined {
  if (status === 201) return 'the API answered 201 without a pull request number and URL';
  if (status === 401) return `the API refused credential "${who.credential}"; its token is wrong or expired`;
  if (status === 403)
    return `credential "${who.credential}" may not open pull requests on ${who.repository} (or a rate limit was hit)`;
  if (status === 404)
    return `${who.repository} was not found, or credential "${who.credential}" cannot see it`;
  if (status >= 300 && status < 400)
    return 'the API answered with a redirect, which the broker does not follow; set api_url for the credential';
  if (status !== 422) return undefined;
  if (/already exists/i.test(said))
    return 'this branch already has an open pull request; push to the branch to update it';
  if (/no commits between/i.test(said))
    return 'the head branch has no commits the base lacks; commit and push first';
  return 'check that the head branch is pushed and the base branch exists';
}

/** GitHub's error shape: `{message, errors: [{message} | {resource, field, code}]}`. */
export function apiMessage(json: unknown): string {
  if (typeof json === 'string') return json.trim();
  if (typeof json !== 'object' || json === null) return '';
  const { message, errors } = json as { message?: unknown; errors?: unknown };
  const details = Array.isArray(errors)
    ? errors.map((e) => {
        if (typeof e === 'string') return e;
        const item = (e ?? {}) as Record<string, unknown>;
        if (typeof item.message === 'string') return item.message;
        return [item.resource, item.field, item.code].filter((p) => typeof p === 'string').join(' ');
      })
    : [];
  return [typeof message === 'string' ? message : '', ...details].filter(Boolean).join(': ');
}
