/**
 * The two cookies of single sign-on: the session, and the sign-in under way (state, nonce and PKCE
 * verifier between /auth/login and /auth/callback). Both HttpOnly and SameSite=Lax (the provider's
 * redirect back is a top-level GET, which Lax lets through; a cross-site POST gets neither). Over
 * https they are Secure with the `__Host-` prefix, so no other host can set or shadow them.
 */
export interface CookieNames {
  session: string;
  login: string;
  secure: boolean;
}

export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}warden_session`, login: `${prefix}warden_login`, secure };
}

/** One cookie's value from a Cookie header; the first of a name wins, as browsers send the most specific first. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}

/**
 * A Set-Cookie value; `maxAgeSeconds` 0 removes the cookie, none makes it last the browser's
 * session. Values are base64url, never escaped.
 */
export function setCookie(names: CookieNames, name: string, value: string, maxAgeSeconds?: number): string {
  return [
    `${name}=${value}`,
    'Path=/',
    ...(maxAgeSeconds === undefined ? [] : [`Max-Age=${maxAgeSeconds}`]),
    'HttpOnly',
    'SameSite=Lax',
    ...(names.secure ? ['Secure'] : []),
  ].join('; ');
}
