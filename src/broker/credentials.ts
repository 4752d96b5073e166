/**
 * The credentials the broker holds for a session. They live in Warden's process only: the
 * sandbox never sees them, the model never reads them (every value is known to the redactor), and
 * each is bound to one host, so a push to any other host goes without it.
 */
export interface Credential {
  /** The name the policy's `secrets:` grants acts to, e.g. `github` or `git-github-com`. */
  name: string;
  /** `hostname` (any port) or `hostname:port`, lower-case. */
  host: string;
  username: string;
  password: string;
  /** Where it came from, for messages: a config file, or a remote URL it was moved out of. */
  origin: string;
  /** The GitHub-style REST API its pull requests go to, when the user set one (`api_url:`). */
  apiUrl?: string;
}

/** A credential the user declared whose token is not set: named when a push goes without it. */
export interface MissingCredential {
  name: string;
  host: string;
  tokenEnv: string;
}

export interface CredentialStore {
  /** Held from now on; a name already held keeps its first credential. */
  add(credential: Credential): void;
  /**
   * The credential for a remote URL: the first whose host is the URL's, and only over HTTPS (or
   * plain HTTP to this machine). Undefined for any other host or scheme.
   */
  forUrl(url: string): Credential | undefined;
  /** Why a URL gets no credential, for a person or the model (no values in it). */
  whyNone(url: string): string;
  has(name: string): boolean;
  /**
   * The credential called `name`, for a URL of its host sent safely (the rules of `forUrl`), or why
   * it is not sent there (no values in it). For a service that names its credential, such as an
   * MCP server's `credential:`, where another credential held for the same host must not stand in.
   */
  named(name: string, url: string): { credential: Credential } | { why: string };
  /**
   * Every value ever added, for the redactor: also those of a credential not held because its name
   * was (a token found twice for one host is still a secret), and the Basic-auth forms they travel
   * in (base64 of `user:token`, of `:token`, of the token alone).
   */
  secrets(): Array<{ value: string; kind: string }>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function createCredentialStore(missing: readonly MissingCredential[] = []): CredentialStore {
  const held: Credential[] = [];
  const seen: Credential[] = [];
  // A host with a port is that port only; a bare host name is any port of it.
  const matches = (credential: Credential, url: URL) =>
    credential.host === (/:\d+$/.test(credential.host) ? url.host : url.hostname);
  const parse = (url: string) => {
    try {
      return new URL(url);
    } catch {
      return undefined;
    }
  };
  return {
    add(credential) {
      seen.push(credential);
      if (!held.some((c) => c.name === credential.name)) held.push(credential);
    },
    forUrl(url) {
      const parsed = parse(url);
      if (!parsed || !sendsSafely(parsed)) return undefined;
      return held.find((credential) => matches(credential, parsed));
    },
    whyNone(url) {
      const parsed = parse(url);
      if (!parsed) return `${url} is not a URL the broker can send a credential to`;
      const host = parsed.host.toLowerCase();
      const declared = missing.find((m) => m.host === host || m.host === parsed.hostname);
      if (declared) {
        return `credential "${declared.name}" is declared for ${declared.host} but ${declared.tokenEnv} is not set`;
      }
      if (held.some((credential) => matches(credential, parsed)) && !sendsSafely(parsed)) {
        return `a credential is held for ${host}, but the broker sends credentials only over https (or http to this machine)`;
      }
      return `no credential is held for ${host}; declare one under "credentials:" in your user config`;
    },
    has(name) {
      return held.some((c) => c.name === name);
    },
    named(name, url) {
      const parsed = parse(url);
      const credential = held.find((c) => c.name === name);
      if (!credential) {
        const declared = missing.find((m) => m.name === name);
        return {
          why: declared
            ? `credential "${name}" is declared but ${declared.tokenEnv} is not set`
            : `no credential "${name}" is held; declare it under "credentials:" in your user config`,
        };
      }
      if (!parsed) return { why: `${url} is not a URL the broker can send a credential to` };
      if (!matches(credential, parsed))
        return {
          why: `credential "${name}" is for ${credential.host}, not ${parsed.host}, so it is not sent there`,
        };
      if (!sendsSafely(parsed))
        return {
          why: `credential "${name}" is sent only over https (or http to this machine), not to ${parsed.protocol}//${parsed.host}`,
        };
      return { credential };
    },
    secrets() {
      return seen.flatMap(secretForms);
    },
  };
}

function secretForms(credential: Credential): Array<{ value: string; kind: string }> {
  const { username, password } = credential;
  // With no password, the user name is the token (`https://<token>@host/…`).
  const token = password === '' ? username : password;
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const encoded = [base64(`${username}:${password}`), base64(`:${token}`), base64(token)];
  // Unpadded too: a header or a URL may drop the `=`.
  const values = [token, ...encoded, ...encoded.map((value) => value.replace(/=+$/, ''))];
  return [...new Set(values)]
    .filter((value) => value !== '')
    .map((value) => ({ value, kind: 'git-credential' }));
}

/** A token travels only encrypted, or not off this machine. */
export function sendsSafely(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

/** The policy name of a credential found in a URL for `host`: `git-` and the host name as a word. */
export function credentialNameForHost(host: string): string {
  const word = host
    .toLowerCase()
    .replace(/:\d+$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `git-${word || 'host'}`;
}
