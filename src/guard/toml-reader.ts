import {
  basicString,
  literalString,
  multilineBasic,
  multilineLiteral,
  type StringRead,
  TomlError,
} from './toml-strings.ts';

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

const BARE_KEY = /[A-Za-z0-9_-]/;
/** A number, boolean or date token (a date may hold one space before its time). */
const SCALAR = /[0-9A-Za-z_:.+-]+(?: [0-9][0-9:.+Z-]*)?/y;

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
      if (c === '"') keys.push(this.string(basicString));
      else if (c === "'") keys.push(this.string(literalString));
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
    if (this.text.startsWith('"""', this.pos)) return this.string(multilineBasic);
    if (this.text.startsWith("'''", this.pos)) return this.string(multilineLiteral);
    if (c === '"') return this.string(basicString);
    if (c === "'") return this.string(literalString);
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
    SCALAR.lastIndex = this.pos;
    const match = SCALAR.exec(this.text);
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

  /** Reads one of the string forms at the cursor and moves past it. */
  private string(read: (text: string, pos: number) => StringRead): string {
    const { value, end } = read(this.text, this.pos);
    this.pos = end;
    return value;
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
