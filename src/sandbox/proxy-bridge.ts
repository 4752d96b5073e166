/**
 * The sandbox's entry point when it may use the network or a service of Warden's:
 *   node proxy-bridge.ts <socketPath> <port> [<socketPath> <port>…] -- <argv…>
 * Inside there is no route out, only loopback; this listens on 127.0.0.1:<port> for each pair,
 * pipes each connection to the bound unix socket (Warden's egress proxy, its model gateway), then
 * runs argv and exits with its status (128+n for a signal, as bubblewrap reports one). It prints
 * nothing unless it fails, so a command's output is the command's own.
 * Standalone on purpose: node: builtins only, run by Node's type stripping from a read-only bind.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { constants } from 'node:os';

/** SIGWINCH too: a terminal agent redraws on it, and the sandbox's own session never gets one. */
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGWINCH'] as const;

function fail(message: string, status: number): never {
  process.stderr.write(`warden proxy bridge: ${message}\n`);
  process.exit(status);
}

const args = process.argv.slice(2);
const separator = args.indexOf('--');
const pairs = separator < 0 ? [] : args.slice(0, separator);
const argv = separator < 0 ? [] : args.slice(separator + 1);
const program = argv[0];
const bridges: Array<{ socketPath: string; port: number }> = [];
for (let i = 0; i + 1 < pairs.length; i += 2) {
  bridges.push({ socketPath: pairs[i] as string, port: Number(pairs[i + 1]) });
}
if (
  program === undefined ||
  bridges.length === 0 ||
  pairs.length % 2 !== 0 ||
  bridges.some((bridge) => !Number.isInteger(bridge.port))
) {
  fail('usage: proxy-bridge.ts <socketPath> <port> [<socketPath> <port>…] -- <argv…>', 2);
}

function listen(socketPath: string, port: number): Promise<void> {
  const server = net.createServer((client) => {
    const upstream = net.connect(socketPath);
    // Either side going away ends the other; errors here belong to the client's connection only.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve) => {
    server.on('error', (error) => fail(`cannot listen on 127.0.0.1:${port}: ${error.message}`, 125));
    server.listen(port, '127.0.0.1', resolve);
  });
}

Promise.all(bridges.map((bridge) => listen(bridge.socketPath, bridge.port))).then(() => {
  const child = spawn(program, argv.slice(1), { stdio: 'inherit' });
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.kill(signal));
  child.on('error', (error: NodeJS.ErrnoException) => {
    fail(`${program}: ${error.message}`, error.code === 'ENOENT' ? 127 : 126);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
  });
});
