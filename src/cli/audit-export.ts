import { join, resolve } from 'node:path';
import { exportJsonl } from '../audit/export-jsonl.ts';
import { exportOtlp } from '../audit/export-otlp.ts';
import { PUBLIC_KEY_FILE } from '../audit/index.ts';
import { WardenError } from '../errors.ts';
import { parseFlags } from './args.ts';
import { namedLog, readPublicKey } from './audit-logs.ts';
import { auditDir, auditKeyDir } from './audit-paths.ts';
import type { CommandIo } from './main.ts';
import { locateRepo } from './repo.ts';

export const AUDIT_EXPORT_HELP = `Usage: warden audit export SESSION --format jsonl|otlp [--endpoint URL] [--audit-dir DIR] [--key PEM] [--force]

Verifies the session's log first and refuses to export one that fails (--force exports it anyway,
with records past the first bad line marked "verified": false).
jsonl writes the stored records to stdout, one per line, each with "verified", for a SIEM.
otlp POSTs OpenTelemetry GenAI spans (OTLP/HTTP JSON) to URL/v1/traces; encrypted payloads are
sent without their content.`;

/** `warden audit export …`; `args` are what follows `export`. */
export async function auditExportCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('audit', args, {
    repo: { type: 'string' },
    'audit-dir': { type: 'string' },
    key: { type: 'string' },
    format: { type: 'string' },
    endpoint: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const [session, ...extra] = positionals;
  if (values.help) {
    io.stdout(`${AUDIT_EXPORT_HELP}\n`);
    return 0;
  }
  if (session === undefined || extra.length > 0) {
    throw new WardenError('usage', 'export takes one session (or log file)', {
      hint: 'warden audit export SESSION --format jsonl|otlp [--endpoint URL]',
    });
  }
  const format = values.format;
  if (format !== 'jsonl' && format !== 'otlp') {
    throw new WardenError('usage', '--format must be jsonl or otlp', { hint: 'see: warden audit --help' });
  }
  if (format === 'otlp' && values.endpoint === undefined) {
    throw new WardenError('usage', '--format otlp needs --endpoint URL', {
      hint: 'the collector base URL, e.g. http://127.0.0.1:4318',
    });
  }
  const dir = auditDir(locateRepo(values.repo, io.cwd).root, values['audit-dir'], io.cwd);
  const file = namedLog(session, dir, io.cwd);
  const keyFile = values.key ? resolve(io.cwd, values.key) : join(auditKeyDir(io.env), PUBLIC_KEY_FILE);
  const publicKey = await readPublicKey(keyFile);
  const force = values.force === true;
  if (format === 'jsonl') {
    const result = await exportJsonl(file, (line) => io.stdout(line), { publicKey, force });
    if (!result.verified) io.stderr(`warning: exported a log that fails verification (--force)\n`);
    return 0;
  }
  const { spans } = await exportOtlp(file, { publicKey, force, endpoint: values.endpoint ?? '' });
  io.stderr(`sent ${spans} spans to ${values.endpoint}\n`);
  return 0;
}
