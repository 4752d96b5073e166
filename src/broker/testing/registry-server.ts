import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Ecosystem, RegistryEndpoints } from '../registry-lookup.ts';

/** A package the fake registry holds; every other name is answered 404, as the real ones do. */
export interface FakePackage {
  ecosystem: Ecosystem;
  name: string;
  ageDays: number;
  version?: string;
  /** npm weekly downloads, or crates.io's 90-day count. */
  downloads?: number;
  /** npm lifecycle scripts of the latest version. */
  scripts?: Record<string, string>;
  /** PyPI: false for a release with only a source distribution. */
  wheel?: boolean;
}

export interface RegistryServer {
  endpoints: RegistryEndpoints;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * npm's registry and download counts, PyPI's JSON API, crates.io's API and a Go module proxy on
 * 127.0.0.1, answering in each one's real wire format (trimmed to the fields a client reads plus
 * the usual neighbours). `hang: true` accepts connections and never answers.
 */
export async function startRegistryServer(
  packages: FakePackage[],
  options: { hang?: boolean } = {},
): Promise<RegistryServer> {
  const requests: string[] = [];
  const find = (ecosystem: Ecosystem, name: string) =>
    packages.find((p) => p.ecosystem === ecosystem && p.name.toLowerCase() === name.toLowerCase());
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    requests.push(path);
    if (options.hang) return;
    const answer = route(path, find);
    res.writeHead(answer === undefined ? 404 : 200, {
      'content-type': typeof answer === 'string' ? 'text/plain' : 'application/json',
    });
    res.end(
      answer === undefined
        ? JSON.stringify({ error: 'Not found' })
        : typeof answer === 'string'
          ? answer
          : JSON.stringify(answer),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoints: {
      npm: `${base}/npm`,
      npmDownloads: `${base}/npm-api`,
      pypi: `${base}/pypi`,
      crates: `${base}/crates`,
      go: `${base}/go`,
    },
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Find = (ecosystem: Ecosystem, name: string) => FakePackage | undefined;

function route(path: string, find: Find): unknown {
  const url = new URL(path, 'http://registry');
  const parts = url.pathname.split('/').slice(1);
  const [area, ...rest] = parts;
  if (area === 'npm' && rest.length >= 1) {
    const name = decodeURIComponent(rest.join('/'));
    const pkg = find('npm', name);
    return pkg && packument(pkg);
  }
  if (area === 'npm-api' && rest.slice(0, 3).join('/') === 'downloads/point/last-week') {
    const name = rest.slice(3).join('/');
    const pkg = find('npm', name);
    return pkg && { downloads: pkg.downloads ?? 0, start: day(7), end: day(1), package: name };
  }
  if (area === 'pypi' && rest[0] === 'pypi' && rest[2] === 'json') {
    const pkg = find('pypi', decodeURIComponent(rest[1] ?? ''));
    return pkg && pypiJson(pkg);
  }
  if (area === 'crates' && rest.slice(0, 2).join('/') === 'api/v1' && rest[2] === 'crates') {
    const pkg = find('crates', decodeURIComponent(rest[3] ?? ''));
    return pkg && { crate: crate(pkg), versions: [], keywords: [], categories: [] };
  }
  if (area === 'go') {
    const at = rest.indexOf('@v');
    const module = rest.slice(0, at < 0 ? rest.indexOf('@latest') : at).join('/');
    const pkg = find(
      'go',
      module.replace(/!([a-z])/g, (_, c: string) => c.toUpperCase()),
    );
    if (!pkg) return undefined;
    const version = pkg.version ?? 'v1.0.0';
    if (rest[at + 1] === 'list') return `${version}\n`;
    return { Version: version, Time: day(pkg.ageDays) };
  }
  return undefined;
}

function day(daysAgo: number): string {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString();
}

function packument(pkg: FakePackage): unknown {
  const version = pkg.version ?? '1.0.0';
  const tarball = `https://registry.example/${pkg.name}/-/${pkg.name.split('/').at(-1)}-${version}.tgz`;
  const scripts = pkg.scripts ?? {};
  const installs = ['preinstall', 'install', 'postinstall'].some((hook) => hook in scripts);
  return {
    _id: pkg.name,
    _rev: `3-${createHash('md5').update(pkg.name).digest('hex')}`,
    name: pkg.name,
    description: `the ${pkg.name} package`,
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        name: pkg.name,
        version,
        description: `the ${pkg.name} package`,
        main: 'index.js',
        scripts: { test: 'node --test', ...scripts },
        ...(installs ? { hasInstallScript: true } : {}),
        license: 'MIT',
        _id: `${pkg.name}@${version}`,
        _nodeVersion: '20.11.0',
        _npmVersion: '10.2.4',
        dist: {
          integrity: `sha512-${createHash('sha512').update(pkg.name).digest('base64')}`,
          shasum: createHash('sha1').update(pkg.name).digest('hex'),
          tarball,
          fileCount: 3,
          unpackedSize: 1024,
        },
        _npmUser: { name: 'someone', email: 'someone@example.com' },
        maintainers: [{ name: 'someone', email: 'someone@example.com' }],
      },
    },
    time: { created: day(pkg.ageDays), modified: day(Math.min(pkg.ageDays, 1)), [version]: day(pkg.ageDays) },
    maintainers: [{ name: 'someone', email: 'someone@example.com' }],
    license: 'MIT',
    readme: '',
    readmeFilename: '',
  };
}

function pypiJson(pkg: FakePackage): unknown {
  const version = pkg.version ?? '1.0.0';
  const uploaded = day(pkg.ageDays);
  const file = (packagetype: string, filename: string) => ({
    comment_text: '',
    digests: { md5: 'x', sha256: createHash('sha256').update(filename).digest('hex') },
    downloads: -1,
    filename,
    has_sig: false,
    md5_digest: 'x',
    packagetype,
    python_version: packagetype === 'sdist' ? 'source' : 'py3',
    requires_python: '>=3.8',
    size: 1024,
    upload_time: uploaded.slice(0, 19),
    upload_time_iso_8601: uploaded,
    url: `https://files.example/${filename}`,
    yanked: false,
    yanked_reason: null,
  });
  const files = [
    file('sdist', `${pkg.name}-${version}.tar.gz`),
    ...(pkg.wheel === false ? [] : [file('bdist_wheel', `${pkg.name}-${version}-py3-none-any.whl`)]),
  ];
  return {
    info: { name: pkg.name, version, summary: `the ${pkg.name} package`, license: 'MIT', yanked: false },
    last_serial: 1,
    releases: { [version]: files },
    urls: files,
    vulnerabilities: [],
  };
}

function crate(pkg: FakePackage): unknown {
  return {
    id: pkg.name,
    name: pkg.name,
    created_at: day(pkg.ageDays),
    updated_at: day(1),
    downloads: (pkg.downloads ?? 0) * 4,
    recent_downloads: pkg.downloads ?? 0,
    max_version: pkg.version ?? '1.0.0',
    max_stable_version: pkg.version ?? '1.0.0',
    newest_version: pkg.version ?? '1.0.0',
  };
}
