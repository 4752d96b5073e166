import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { looksRandom } from './known-forms.ts';
import { createRedactor } from './redactor.ts';

// Forms a command prints without meaning to hide anything (a hex dump, UTF-16, colours, JSON),
// or that Warden itself would undo before the model reads them (tag characters), each found by
// a red-team pass to carry a secret past the redactor.

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const key = fc
  .array(fc.constantFrom(...ALNUM), { minLength: 32, maxLength: 48 })
  .map((chars) => chars.join(''))
  // Pieces count only for values that look like keys, as the redactor judges them.
  .filter(looksRandom);

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0'));

/** `xxd`: offset, eight groups of two bytes, the printable column. */
function xxd(text: string): string {
  const bytes = [...Buffer.from(text)];
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.slice(at, at + 16);
    const groups =
      hex(row)
        .join('')
        .match(/.{1,4}/g) ?? [];
    lines.push(
      `${at.toString(16).padStart(8, '0')}: ${groups.join(' ').padEnd(40)}  ${Buffer.from(row).toString('latin1')}`,
    );
  }
  return lines.join('\n');
}

/** `hexdump -C`: two columns of eight bytes, the printable column between bars. */
function hexdumpC(text: string): string {
  const bytes = [...Buffer.from(text)];
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = hex(bytes.slice(at, at + 16));
    const body = `${row.slice(0, 8).join(' ')}  ${row.slice(8).join(' ')}`;
    lines.push(`${at.toString(16).padStart(8, '0')}  ${body.padEnd(49)} |${text.slice(at, at + 16)}|`);
  }
  return lines.join('\n');
}

/** `od -x`: 16-bit words, low byte first. */
function odX(text: string): string {
  const bytes = [...Buffer.from(text)];
  if (bytes.length % 2) bytes.push(0);
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const words: string[] = [];
    for (let i = at; i < Math.min(at + 16, bytes.length); i += 2)
      words.push(hex([bytes[i + 1] as number, bytes[i] as number]).join(''));
    lines.push(`${at.toString(8).padStart(7, '0')} ${words.join(' ')}`);
  }
  return lines.join('\n');
}

/** `od -An -tx1`: bytes only, no offsets. */
const odBytes = (text: string) =>
  (
    hex([...Buffer.from(text)])
      .join(' ')
      .match(/.{1,48}/g) ?? []
  )
    .map((l) => ` ${l.trim()}`)
    .join('\n');

const FORMS: Record<string, (value: string) => string> = {
  'tag characters between its characters': (v) => [...v].join('\u{E0020}'),
  'zero-width spaces between its characters': (v) => [...v].join('\u200B'),
  'UTF-16 printed as it is (NULs between)': (v) => Buffer.from(v, 'utf16le').toString('latin1'),
  'a terminal colour around it': (v) => `value: \x1b[1;32m${v}\x1b[0m`,
  xxd,
  'hexdump -C': hexdumpC,
  'od -x': odX,
  'od -An -tx1': odBytes,
};

describe('a known value printed by ordinary commands in another form is still replaced', () => {
  for (const [name, form] of Object.entries(FORMS))
    test(name, () => {
      fc.assert(
        fc.property(key, fc.string({ maxLength: 40 }), (value, noise) => {
          const r = createRedactor();
          r.addKnown([{ value, kind: 'api-key' }]);
          const out = r.redact(`${noise.replace(/[^ -~]/g, '')}\n${form(value)}\n`);
          assert.match(out, /«secret:api-key#1»/, out);
          // At most a tail shorter than a piece (10 characters) may remain of the value, in any column.
          const visible = out.replace(/\u{E0020}|\u200B|\0/gu, '');
          for (let i = 0; i + 10 <= value.length; i++)
            assert.ok(!visible.includes(value.slice(i, i + 10)), out);
        }),
        { numRuns: 60 },
      );
    });
});

describe('a token in escaped, encoded or coloured text is found by its shape', () => {
  const GITHUB = 'ghp_R4nd0mT0kenValue0123456789abcdefABCD';
  const cases: Array<[string, string]> = [
    ['after a JSON \\n', `{"stdout":"Created token:\\n${GITHUB}\\n"}`],
    ['after a colour code', `token: \x1b[32m${GITHUB}\x1b[0m`],
    ['with tag characters', [...GITHUB].join('\u{E0041}')],
    ['as a URL user', `mylib @ git+https://${GITHUB}@github.com/acme/mylib.git@v1.2.0`],
    ['on a diff line', `diff --git a/ci.env b/ci.env\n@@ -1 +1,2 @@\n ok\n+${GITHUB}\n`],
    [
      'in JSON with escaped slashes',
      '{"url":"https:\\/\\/hooks.slack.com\\/services\\/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"}',
    ],
    [
      'a password in an escaped URL',
      '{"DATABASE_URL":"postgres:\\/\\/app:Zq8vLm2Rt5Xw9Kp3Nd7F@db.internal:5432\\/app"}',
    ],
    [
      'URL-encoded',
      'callback=https%3A%2F%2Fhooks.slack.com%2Fservices%2F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',
    ],
  ];
  for (const [name, text] of cases)
    test(name, () => {
      const out = createRedactor().redact(text);
      assert.match(out, /«secret:/, out);
      assert.doesNotMatch(out, /R4nd0mT0ken|Zq8vLm2Rt5/, out);
    });

  test('ordinary escaped, encoded and dumped text is left as it is', () => {
    const r = createRedactor();
    for (const text of [
      'GET https://example.com/search?q=a%20b%2Fc&page=2 200',
      '{"path":"src\\/index.ts","message":"line one\\nline two\\ttabbed \\u00e9"}',
      '00000000: 7f45 4c46 0201 0100 0000 0000 0000 0000  .ELF............',
      '\x1b[32m✔ 12 tests passed\x1b[0m (340ms)',
    ])
      assert.equal(r.redact(text), text);
  });
});

describe('code that names a secret is not one', () => {
  // Found by a red-team pass over node_modules: bundler names and property paths after `token:`.
  for (const text of [
    'inputTokens: response2.usage.input_tokens,',
    'const apiKey = process.env.OPENAI_API_KEY2;',
    'export const X_AWS_EC2_METADATA_TOKEN = "x-aws-ec2-metadata-token";',
    'auth_method: oauth2_client_credentials_v2',
  ])
    test(text, () => assert.equal(createRedactor().redact(text), text));
  test('while a random value assigned to a key-like name still is', () => {
    assert.match(createRedactor().redact('api_key = "Zq8vLm2Rt5Xw9Kp3Nd7F"'), /«secret:assigned-secret#1»/);
  });
});
