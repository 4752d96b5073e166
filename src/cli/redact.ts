import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import type { RedactionFinding } from '../guard/redaction-findings.ts';
import { createRedactor, type Redactor, secretsInEnv } from '../guard/redactor.ts';
import { parseFlags } from './args.ts';
import type { CommandIo } from './main.ts';

export const REDACT_HELP = `Usage: warden redact [FILE…] [--json]

Prints the text of the files (or of stdin, without files) with every secret Warden's redactor
finds replaced by a placeholder such as «secret:aws-access-key#1» — the same redactor that
cleans what reaches the model, the events and the audit log. Use it on CI logs, or to see what
the rules catch in your own data. Keys in the environment (variables named like *KEY*, *TOKEN*,
*SECRET*, *PASSWORD*) are known values: found in every form, reversed, hex, base64, URL-encoded
or in pieces.

  --json   list the findings instead, one JSON document: file, line, column, rule (and the form
           of a known value) for each — never the value itself

Exit status, as a linter's: 0 when nothing was found, 1 when something was (so a CI step can
fail on a leaked secret; add "|| true" to only clean the log), 2 on bad input (a missing file).`;

/** A private key spans lines: text is held back while one is open, up to this much. */
const MAX_HELD = 1024 * 1024;

interface Located {
  file: string;
  line: number;
  column: number;
  rule: string;
  form?: string;
  placeholder: string;
}

export async function redactCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('redact', args, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${REDACT_HELP}\n`);
    return 0;
  }
  // Every file is checked before any is printed: bad input prints nothing but the error.
  for (const file of positionals) await readable(resolve(io.cwd, file), file);
  const redactor = createRedactor();
  redactor.addKnown(secretsInEnv(io.env));
  const found: Located[] = [];
  const sources = positionals.length
    ? positionals.map((file) => ({
        name: file,
        stream: createReadStream(resolve(io.cwd, file), { encoding: 'utf8' }) as NodeJS.ReadableStream,
      }))
    : [{ name: '-', stream: io.stdin.setEncoding('utf8') }];
  for (const source of sources) {
    const blocks = new BlockRedactor(redactor, source.name, (text) => {
      if (!values.json) io.stdout(text);
    });
    try {
      for await (const chunk of source.stream) blocks.push(String(chunk));
    } catch (error) {
      throw new WardenError('usage', `cannot read ${source.name}: ${(error as Error).message}`);
    }
    blocks.end();
    found.push(...blocks.found);
  }
  if (values.json) io.stdout(`${JSON.stringify({ findings: found })}\n`);
  return found.length > 0 ? 1 : 0;
}

/**
 * Redacts a stream as it comes, so that a log piped through is shown live: complete lines go out
 * at once, unless a private key has begun and not ended (its lines are redacted together).
 */
class BlockRedactor {
  readonly found: Located[] = [];
  #pending = '';
  #line = 1;
  readonly #redactor: Redactor;
  readonly #file: string;
  readonly #write: (text: string) => void;

  constructor(redactor: Redactor, file: string, write: (text: string) => void) {
    this.#redactor = redactor;
    this.#file = file;
    this.#write = write;
  }

  push(chunk: string): void {
    this.#pending += chunk;
    const cut = this.#pending.lastIndexOf('\n') + 1;
    if (cut === 0) return;
    const open =
      /-----BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(this.#pending) &&
      !/-----END [A-Z0-9 ]*PRIVATE KEY/.test(this.#pending);
    if (open && this.#pending.length < MAX_HELD) return;
    this.#flush(this.#pending.slice(0, cut));
    this.#pending = this.#pending.slice(cut);
  }

  end(): void {
    if (this.#pending) this.#flush(this.#pending);
    this.#pending = '';
  }

  #flush(block: string): void {
    const findings = this.#redactor.findings(block);
    this.found.push(...findings.map((finding) => this.#locate(block, finding)));
    // The findings are exactly what redact() replaces: the text is rebuilt from them, not redacted twice.
    let out = '';
    let at = 0;
    for (const finding of findings) {
      out += block.slice(at, finding.start) + finding.placeholder;
      at = finding.end;
    }
    this.#write(out + block.slice(at));
    this.#line += countLines(block);
  }

  #locate(block: string, finding: RedactionFinding): Located {
    const before = block.slice(0, finding.start);
    const lineStart = before.lastIndexOf('\n') + 1;
    return {
      file: this.#file,
      line: this.#line + countLines(before),
      column: before.length - lineStart + 1,
      rule: finding.rule,
      ...(finding.form ? { form: finding.form } : {}),
      placeholder: finding.placeholder,
    };
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

async function readable(path: string, name: string): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new WardenError(
      'usage',
      error.code === 'ENOENT' ? `${name}: no such file` : `${name}: cannot be read (${error.code})`,
      { hint: 'give text files to redact, or pipe text on stdin' },
    );
  });
  if (!info.isFile()) {
    throw new WardenError('usage', `${name}: not a file`, {
      hint: 'give text files to redact, or pipe text on stdin',
    });
  }
  await access(path, constants.R_OK).catch(() => {
    throw new WardenError('usage', `${name}: permission denied`, { hint: 'check the file can be read' });
  });
}
