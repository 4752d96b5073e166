/**
 * A GitHub REST API on 127.0.0.1 for tests, as much of it as the broker uses: `GET
 * /repos/{owner}/{repo}` (the default branch) and `POST /repos/{owner}/{repo}/pulls`. A request
 * without `Authorization: Bearer <token>` gets GitHub's 401; a second pull request from the same
 * head gets its 422. Every request is recorded as it arrived: method, path, headers, body.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiRequestSeen {
  method: string;
  path: string;
  authorized: boolean;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface FakeGitHubApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: ApiRequestSeen[];
  close(): Promise<void>;
}

export async function startFakeGitHubApi(options: {
  token: string;
  /** The repositories it knows, `owner/repo` → default branch. */
  repositories: Record<string, string>;
}): Promise<FakeGitHubApi> {
  const requests: ApiRequestSeen[] = [];
  const opened = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      const authorized = req.headers.authorization === `Bearer ${options.token}`;
      requests.push({ method: req.method ?? 'GET', path, authorized, headers: req.headers, body });
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(json));
      };
      if (!authorized)
        return reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const match = /^\/repos\/([^/]+)\/([^/]+)(\/pulls)?$/.exec(path);
      const name = match ? `${match[1]}/${match[2]}` : '';
      const defaultBranch = options.repositories[name];
      if (!match || defaultBranch === undefined)
        return reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      if (!match[3] && req.method === 'GET')
        return reply(200, { full_name: name, default_branch: defaultBranch, private: true });
      if (!match[3] || req.method !== 'POST') return reply(404, { message: 'Not Found' });
      let pull: { title?: unknown; head?: unknown; base?: unknown };
      try {
        pull = JSON.parse(body);
      } catch {
        return reply(400, { message: 'Problems parsing JSON' });
      }
      if (typeof pull.title !== 'string' || typeof pull.head !== 'string' || typeof pull.base !== 'string')
        return reply(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', code: 'missing_field' }],
        });
      const key = `${name}:${pull.head}`;
      if (opened.has(key))
        return reply(422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${match[1]}:${pull.head}.`,
            },
          ],
        });
      const number = opened.size + 1;
      opened.set(key, number);
      return reply(201, {
        number,
        state: 'open',
        html_url: `https://github.example/${name}/pull/${number}`,
        head: { ref: pull.head },
        base: { ref: pull.base },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
