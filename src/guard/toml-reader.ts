/**
 * A reader for TOML 1.0 documents, for the manifests whose dependencies the guard compares
 * (Cargo.toml, pyproject.toml). No TOML library is installed, so this is our own: tables, arrays
 * of tables, dotted and quoted keys, inline tables, arrays, all four string forms. Other scalars
 * (numbers, booleans, dates) are kept as their text, since nothing here needs their value. It
 * never throws: a document it cannot read is an error value, which the caller must treat as
 * "cannot tell what this manifest adds", never as "adds nothing".
 */

export type TomlValue = string | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export type TomlRead = { ok: true; value: TomlTable } | { ok: false; error: string };

class TomlError extends Error {}

const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\x1b',
  '"': '"',
  '\\': '\\',
};

export function readToml(text: string): TomlRead {
  const reader = new Reader(text);
  try {
    return { ok: true, value: reader.document() };
  } catch (error) {
    if (error instanceof TomlError) return { ok: false, error: `line ${reader.line()}: ${error.message}` };
    throw error;
  }
}

/** Own keys only, set as data: a key named `__proto__` or `constructor` is just a key. */
function own(table: TomlTable, key: string): TomlValue | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function put(table: TomlTable, key: string, value: TomlValue): void {
  Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
}

function isTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  private pos = 0;
  private readonly text: string;
  /** Tables written as `[x]` or implicitly created by a header or a dotted key, and inline (frozen) ones. */
  private readonly explicit = new Set<TomlTable>();
  private readonly frozen = new Set<TomlTable>();

  constructor(text: string) {
    this.text = text.replace(/^\uFEFF/, '');
  }

  line(): number {
    return this.text.slice(0, this.pos).split('\n').length;
  }

  document(): TomlTable {
    const root: TomlTable = {};
    let current = root;
    for (;;) {
      this.skipBlank();
      if (this.pos >= this.text.length) return root;
      if (this.text.startsWith('[[', this.pos)) {
        this.pos += 2;
        const keys = this.key();
        this.expect(']]');
        current = this.arrayTable(root, keys);
      } else if (this.peek() === '[') {
        this.pos += 1;
        const keys = this.key();
        this.expect(']');
        current = this.headerTable(root, keys);
      } else {
        this.keyValue(current);
      }
      this.endOfLine();
    }
  }

  private headerTable(root: TomlTable, keys: string[]): TomlTable {
    const table = this.descend(root, keys.slice(0, -1));
    const last = keys.at(-1) as string;
    const existing = own(table, last);
    if (existing === undefined) {
      const created: TomlTable = {};
      put(table, last, created);
      this.explicit.add(created);
      return created;
    }
    if (!isTable(existing) || this.explicit.has(existing) || this.frozen.has(existing))
      throw new TomlError(`table [${keys.join('.')}] is defined twice`);
    this.explicit.add(existing);
    return existing;
  }

  private arrayTable(root: TomlTable, keys: string[]): TomlTable {
    const table = this.descend(root, keys.slice(0, -1));
    const last = keys.at(-1) as string;
    const existing = own(table, last) ?? [];
    if (!Array.isArray(existing) || this.frozen.has(table))
      throw new TomlError(`[[${keys.join('.')}]] redefines a value that is not an array of tables`);
    const created: TomlTable = {};
    existing.push(created);
    put(table, last, existing);
    return created;
  }

  /** Walks (creating) intermediate tables; an array of tables continues in its last element. */
  private descend(from: TomlTable, keys: string[]): TomlTable {
    let table = from;
    for (const key of keys) {
      let next = own(table, key);
      if (next === undefined) {
        next = {};
        put(table, key, next);
      }
      if (Array.isArray(next)) next = next.at(-1);
      if (!isTable(next) || this.frozen.has(next))
        throw new TomlError(`key "${key}" is already a value, not a table`);
      table = next;
    }
    return table;
  }

  private keyValue(table: TomlTable): void {
    const keys = this.key();
    this.skipSpaces();
    this.expect('=');
    this.skipSpaces();
    const value = this.value();
    const target = this.descend(table, keys.slice(0, -1));
    const last = keys.at(-1) as string;
    if (Object.hasOwn(target, last)) throw new TomlError(`key "${keys.join('.')}" is defined twice`);
    put(target, last, value);
  }

  private key(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipSpaces();
      const c = this.peek();
      if (c === '"') keys.push(this.basicString());
      else if (c === "'") keys.push(this.literalString());
      else {
        const start = this.pos;
        while (this.pos < this.text.length && BARE_KEY.test(this.text[this.pos] as string)) this.pos += 1;
        if (start === this.pos) throw new TomlError(`expected a key, found ${this.shown()}`);
        keys.push(this.text.slice(start, this.pos));
      }
      this.skipSpaces();
      if (this.peek() !== '.') return keys;
      this.pos += 1;
    }
  }

  private value(): TomlValue {
    const c = this.peek();
    if (this.text.startsWith('"""', this.pos)) return this.multilineBasic();
    if (this.text.startsWith("'''", this.pos)) return this.multilineLiteral();
    if (c === '"') return this.basicString();
    if (c === "'") return this.literalString();
    if (c === '[') return this.array();
    if (c === '{') return this.inlineTable();
    return this.scalar();
  }

  private array(): TomlValue[] {
    this.pos += 1;
    const items: TomlValue[] = [];
    for (;;) {
      this.skipBlank();
      if (this.peek() === ']') break;
      items.push(this.value());
      this.skipBlank();
      if (this.peek() === ',') this.pos += 1;
      else if (this.peek() !== ']')
        throw new TomlError(`expected "," or "]" in an array, found ${this.shown()}`);
    }
    this.pos += 1;
    return items;
  }

  private inlineTable(): TomlTable {
    this.pos += 1;
    const table: TomlTable = {};
    this.skipSpaces();
    if (this.peek() === '}') {
      this.pos += 1;
      this.frozen.add(table);
      return table;
    }
    for (;;) {
      this.keyValue(table);
      this.skipSpaces();
      const c = this.peek();
      this.pos += 1;
      if (c === '}') break;
      if (c !== ',') throw new TomlError(`expected "," or "}" in an inline table, found ${this.shown(-1)}`);
    }
    this.freeze(table);
    return table;
  }

  private freeze(table: TomlTable): void {
    this.frozen.add(table);
    for (const value of Object.values(table)) if (isTable(value)) this.freeze(value);
  }

  /** Numbers, booleans and dates: checked for shape, kept as written. */
  private scalar(): string {
    const match = /^[0-9A-Za-z_:.+-]+(?: [0-9][0-9:.+Z-]*)?/.exec(this.text.slice(this.pos));
    const token = match?.[0] ?? '';
    const ok =
      /^(true|false|[+-]?(inf|nan)|[+-]?[0-9_]+(\.[0-9_]+)?([eE][+-]?[0-9_]+)?|0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+)$/.test(
        token,
      ) ||
      /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2})?(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?)?$|^\d{2}:\d{2}(:\d{2})?(\.\d+)?$/.test(
        token,
      );
    if (!ok) throw new TomlError(`expected a value, found ${this.shown()}`);
    this.pos += token.length;
    return token;
  }

  private basicString(): string {
    this.pos += 1;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') throw new TomlError('unterminated string');
      this.pos += 1;
      if (c === '"') return out;
      out += c === '\\' ? this.escape() : c;
    }
  }

  private multilineBasic(): string {
    this.pos += 3;
    if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (this.peek() === '\n') this.pos += 1;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new TomlError('unterminated """ string');
      if (this.text.startsWith('"""', this.pos)) {
        // Up to two quotes may end the content right before the closing delimiter.
        let end = this.pos + 3;
        while (this.text[end] === '"' && end - this.pos < 5) end += 1;
        out += '"'.repeat(end - this.pos - 3);
        this.pos = end;
        return out;
      }
      const c = this.text[this.pos] as string;
      this.pos += 1;
      if (c !== '\\') out += c;
      else if (/^[ \t]*\r?\n/.test(this.text.slice(this.pos))) {
        // A line-ending backslash trims the newline and the whitespace after it.
        while (/[ \t\r\n]/.test(this.peek())) this.pos += 1;
      } else out += this.escape();
    }
  }

  private literalString(): string {
    const end = this.text.indexOf("'", this.pos + 1);
    const newline = this.text.indexOf('\n', this.pos + 1);
    if (end < 0 || (newline >= 0 && newline < end)) throw new TomlError('unterminated string');
    const out = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return out;
  }

  private multilineLiteral(): string {
    let start = this.pos + 3;
    if (this.text.startsWith('\r\n', start)) start += 2;
    else if (this.text[start] === '\n') start += 1;
    let end = this.text.indexOf("'''", start);
    if (end < 0) throw new TomlError("unterminated ''' string");
    // Up to two quotes may end the content right before the closing delimiter.
    for (let extra = 0; extra < 2 && this.text[end + 3] === "'"; extra++) end += 1;
    this.pos = end + 3;
    return this.text.slice(start, end);
  }

  private escape(): string {
    const c = this.text[this.pos] ?? '';
    this.pos += 1;
    if (c in ESCAPES) return ESCAPES[c] as string;
    const digits = c === 'u' ? 4 : c === 'U' ? 8 : c === 'x' ? 2 : 0;
    const hex = this.text.slice(this.pos, this.pos + digits);
    if (digits === 0 || !new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex))
      throw new TomlError(`invalid escape "\\${c}"`);
    const code = Number.parseInt(hex, 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      throw new TomlError(`invalid escape "\\${c}${hex}"`);
    this.pos += digits;
    return String.fromCodePoint(code);
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private shown(offset = 0): string {
    const c = this.text[this.pos + offset];
    return c === undefined ? 'the end' : c === '\n' ? 'a line break' : JSON.stringify(c);
  }

  private expect(token: string): void {
    this.skipSpaces();
    if (!this.text.startsWith(token, this.pos))
      throw new TomlError(`expected "${token}", found ${this.shown()}`);
    this.pos += token.length;
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos += 1;
  }

  /** Spaces, line breaks and comments: what may sit between array items and between lines. */
  private skipBlank(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos += 1;
      else if (c === '#') this.skipComment();
      else return;
    }
  }

  private skipComment(): void {
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.text.length : end;
  }

  private endOfLine(): void {
    this.skipSpaces();
    if (this.peek() === '#') this.skipComment();
    if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (this.peek() === '\n') this.pos += 1;
    else if (this.pos < this.text.length)
      throw new TomlError(`expected the end of the line, found ${this.shown()}`);
  }
}
