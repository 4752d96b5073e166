/**
 * Settings for a git that talks to one remote on the host: every transport off but the URL's own
 * (so nothing reaches `ext::`, which runs a command), and no redirect followed (the URL passed an
 * allow-list; where it redirects did not).
 */
export function oneTransport(scheme: string): string[] {
  return [
    '-c',
    'protocol.allow=never',
    '-c',
    `protocol.${scheme}.allow=always`,
    '-c',
    'http.followRedirects=false',
  ];
}
