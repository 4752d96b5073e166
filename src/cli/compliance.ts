import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openAuditKeys } from '../audit/audit-keys.ts';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from '../audit/index.ts';
import { WardenError } from '../errors.ts';
import { verifyBundle, writeBundle } from '../evidence/compliance/bundle.ts';
import { collectReport } from '../evidence/compliance/collect.ts';
import { FRAMEWORKS, type Framework } from '../evidence/compliance/controls.ts';
import { readServerRecords } from '../evidence/compliance/server-records.ts';
import { WARDEN_VERSION } from '../receipt/make.ts';
import { loadServerConfig } from '../server/config.ts';
import { parseFlags } from './args.ts';
import { namedLogs, readPublicKey } from './audit-logs.ts';
import { auditDir, auditKeyDir } from './audit-paths.ts';
import type { CommandIo } from './main.ts';
import { locateRepo } from './repo.ts';
import { forTerminal } from './terminal.ts';

export const COMPLIANCE_HELP = `Usage: warden compliance report --framework soc2|iso27001|eu-ai-act --from DATE --to DATE
                                [--data DIR | --audit-dir DIR] --out DIR
       warden compliance verify DIR [--data DIR | --key PEM]

report  an evidence bundle for an auditor: for each control the framework maps (SOC 2 CC6.1, CC6.6,
        CC7.2, CC8.1; ISO 27001 A.5.15, A.8.2, A.8.15, A.8.16; EU AI Act Art. 12, 14, 15), the
        evidence of the period — policies in force and their changes by digest, approvals and who
        gave them, denials, refused connections, the verification of every audit log, key ids,
        sessions per team, people and roles. Writes DIR/report.json, DIR/report.html (print it to
        PDF from a browser) and DIR/report.sig.json, a DSSE signature over both by the audit key.
        --data DIR     a server's data directory (warden serve --data): its logs, records and key
        --audit-dir    local sessions' logs (default: the repository's .warden/audit), signed with
                       your own audit key
        DATE           YYYY-MM-DD (--to includes that whole day) or an ISO time, UTC
verify  checks a bundle's signature and that both files are the ones signed; exit 0 or 1.`;

export async function complianceCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('compliance', args, {
    framework: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    data: { type: 'string' },
    'audit-dir': { type: 'string' },
    repo: { type: 'string' },
    out: { type: 'string' },
    key: { type: 'string' },
    server: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const [action, ...rest] = positionals;
  if (values.help) {
    io.stdout(`${COMPLIANCE_HELP}\n`);
    return 0;
  }
  const dataDir = values.data ? resolve(io.cwd, values.data) : undefined;
  const keyDir = dataDir ? join(dataDir, 'keys') : auditKeyDir(io.env);
  // A server's keys are where its server.yaml says: files under DATA/keys, or AWS KMS (audit_keys:).
  const serverYaml = dataDir ? join(dataDir, 'server.yaml') : undefined;
  const keys = openAuditKeys(
    keyDir,
    serverYaml && existsSync(serverYaml) ? (loadServerConfig(serverYaml).auditKeys ?? {}) : {},
  );
  const publicKey = async (): Promise<string> => {
    if (values.key) return readPublicKey(resolve(io.cwd, values.key));
    if (!keys.inKms) return readPublicKey(join(keyDir, PUBLIC_KEY_FILE));
    return (await keys.publicKey()).export({ type: 'spki', format: 'pem' }).toString();
  };
  if (action === 'verify') {
    const [dir, extra] = rest;
    if (!dir || extra)
      throw new WardenError('usage', 'verify takes the bundle directory', {
        hint: 'warden compliance verify DIR --key PEM',
      });
    const result = await verifyBundle(resolve(io.cwd, dir), await publicKey());
    io.stdout(
      forTerminal(
        result.ok
          ? `verified: ${result.statement.framework} evidence for ${result.statement.period.from} to ${result.statement.period.to}, signed by ${result.keyId}\n`
          : `NOT VERIFIED: ${result.problem}\n`,
      ),
    );
    return result.ok ? 0 : 1;
  }
  if (action !== 'report')
    throw new WardenError(
      'usage',
      action ? `unknown compliance action "${action}"` : 'compliance needs an action: report or verify',
      {
        hint: 'see: warden compliance --help',
      },
    );
  if (values.server)
    throw new WardenError(
      'usage',
      '--server is not supported yet: the bundle is signed with the server\u2019s audit key, which stays on its machine',
      {
        hint: 'run warden compliance report --data DIR on the server, with its data directory',
      },
    );
  const framework = values.framework as Framework;
  if (!FRAMEWORKS.includes(framework))
    throw new WardenError(
      'usage',
      `--framework must be one of ${FRAMEWORKS.join(', ')}${values.framework ? `, got "${values.framework}"` : ''}`,
    );
  if (!values.out) throw new WardenError('usage', 'where should the bundle go?', { hint: 'pass --out DIR' });
  const from = instant('from', values.from, false);
  const to = instant('to', values.to, true);
  if (from >= to) throw new WardenError('usage', `--from ${values.from} is not before --to ${values.to}`);
  if (keys.localFiles.includes(PRIVATE_KEY_FILE) && !existsSync(join(keyDir, PRIVATE_KEY_FILE)))
    throw new WardenError(
      'compliance.key',
      `no audit key in ${keyDir}: the bundle is signed with the key that signs the logs`,
      {
        hint: dataDir
          ? 'pass the data directory of the server that wrote the logs'
          : 'run a session first (warden exec), or pass --data DIR',
      },
    );
  const logsDir = dataDir
    ? join(dataDir, 'audit')
    : auditDir(locateRepo(values.repo, io.cwd).root, values['audit-dir'], io.cwd);
  const report = await collectReport({
    framework,
    from,
    to,
    logs: namedLogs([], logsDir, io.cwd),
    publicKey: await publicKey(),
    server: dataDir ? await readServerRecords(dataDir) : undefined,
    source: dataDir ?? logsDir,
    wardenVersion: WARDEN_VERSION,
  });
  const out = resolve(io.cwd, values.out);
  await writeBundle(out, report, await keys.signer());
  const broken = report.evidence.verification.filter((v) => !v.ok).length;
  io.stdout(
    `${forTerminal(
      [
        `${report.frameworkTitle}: ${report.evidence.sessions.length} session(s) from ${from} to ${to}`,
        ...report.controls.map((c) => `  ${c.id.padEnd(8)} ${c.title}: ${c.findings.join('; ')}`),
        `wrote ${join(out, 'report.json')}, report.html and report.sig.json`,
        broken ? `${broken} audit log(s) failed verification: see the report` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    )}\n`,
  );
  return 0;
}

/** `YYYY-MM-DD` (as the end, the day after, since --to includes its day) or an ISO time, as ISO UTC. */
function instant(flag: string, value: string | undefined, end: boolean): string {
  if (!value)
    throw new WardenError('usage', `--${flag} DATE is required`, {
      hint: 'e.g. --from 2026-01-01 --to 2026-03-31',
    });
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const time = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time.getTime()))
    throw new WardenError('usage', `--${flag} "${value}" is not a date`, {
      hint: 'use YYYY-MM-DD or an ISO time such as 2026-01-01T12:00:00Z',
    });
  if (dateOnly && end) time.setUTCDate(time.getUTCDate() + 1);
  return time.toISOString();
}
