/**
 * The sandbox's entry point when it may use the network:
 *   node proxy-bridge.ts <socketPath> <port> -- <argv…>
 * Inside there is no route out, only loopback; this listens on 127.0.0.1:<port>, pipes each
 * connection to Warden's egress proxy through the bound unix socket, then runs argv and exits
 * with its status (128+n for a signal, as bubblewrap reports one). It prints nothing unless it
 * fails, so a command's output is the command's own.
 * Standalone on purpose: node: builtins only, run by Node's type stripping from a read-only bind.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { constants } from 'node:os';

const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

function fail(message: string, status: number): never {
  process.stderr.write(`warden proxy bridge: ${message}\n`);
  process.exit(status);
}

const [socketPath, portText, separator, ...argv] = process.argv.slice(2);
const port = Number(portText);
const program = argv[0];
if (socketPath === undefined || separator !== '--' || program === undefined || !Number.isInteger(port)) {
  fail('usage: proxy-bridge.ts <socketPath> <port> -- <argv…>', 2);
}

const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  // Either side going away ends the other; errors here belong to the client's connection only.
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
});
server.on('error', (error) => fail(`cannot listen on 127.0.0.1:${port}: ${error.message}`, 125));
server.listen(port, '127.0.0.1', () => {
  const child = spawn(program, argv.slice(1), { stdio: 'inherit' });
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.kill(signal));
  child.on('error', (error: NodeJS.ErrnoException) => {
    fail(`${program}: ${error.message}`, error.code === 'ENOENT' ? 127 : 126);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
  });
});
