import { stringify } from 'smol-toml';

/**
 * Writes one TOML document many ways, as people (and hostile models) write manifests: tables as
 * `[headers]`, implicit super-tables, inline `{ tables }` or dotted keys; `[[arrays of tables]]`
 * or inline arrays; keys bare, 'literal', "quoted" or "\u0065scaped"; strings in all four
 * forms, with escapes and line continuations; comments, odd spacing and CRLF. Or smol-toml's
 * own `stringify`. Every style means the same data, so a reader that finds a dependency in one
 * must find it in all.
 */

export type TomlData = string | boolean | TomlData[] | { [key: string]: TomlData };
type Table = { [key: string]: TomlData };

/** Picks 0..n-1; the caller supplies the randomness (a seeded generator under fast-check). */
export type Pick = (n: number) => number;

export function renderToml(doc: Table, pick: Pick): string {
  if (pick(6) === 0) return stringify(doc);
  const writer = new StyleWriter(pick);
  writer.section([], doc);
  const eol = pick(5) === 0 ? '\r\n' : '\n';
  return `${writer.lines.join(eol)}${eol}`;
}

/** A small deterministic generator (mulberry32), so fast-check's seed decides every style. */
export function seededPick(seed: number): Pick {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % 0x7fffffff) % n;
  };
}

function isTable(value: TomlData): value is Table {
  return typeof value === 'object' && !Array.isArray(value);
}

function isTableArray(value: TomlData): value is Table[] {
  return Array.isArray(value) && value.length > 0 && value.every(isTable);
}

class StyleWriter {
  readonly lines: string[] = [];
  private readonly pick: Pick;

  constructor(pick: Pick) {
    this.pick = pick;
  }

  /** The key/values of a table whose header (or the document's start) was just written. */
  section(path: string[], table: Table, onlyHeaders = false): void {
    const later: Array<() => void> = [];
    for (const [name, value] of Object.entries(table)) {
      const here = [...path, name];
      if (isTable(value)) {
        const style = onlyHeaders ? 2 : this.pick(3);
        if (style === 0 || (style === 1 && Object.keys(value).length === 0))
          this.entry(this.key(name), this.inline(value));
        else if (style === 1) this.dotted([name], value);
        else later.push(() => this.header(here, value));
      } else if (isTableArray(value) && (onlyHeaders || this.pick(2) === 0)) {
        later.push(() => {
          for (const item of value) {
            this.blank();
            this.lines.push(`[[${this.keyPath(here)}]]${this.comment()}`);
            this.section(here, item);
          }
        });
      } else this.entry(this.key(name), this.value(value, false));
    }
    for (const write of later) write();
  }

  /** `[a.b]`, or nothing when every entry gets a header of its own (an implicit table). */
  private header(path: string[], table: Table): void {
    const values = Object.values(table);
    const implicit =
      values.length > 0 && values.every((v) => isTable(v) || isTableArray(v)) && this.pick(2) === 0;
    if (!implicit) {
      this.blank();
      this.lines.push(`[${this.pick(4) === 0 ? ' ' : ''}${this.keyPath(path)}]${this.comment()}`);
    }
    this.section(path, table, implicit);
  }

  /** `a.b.c = value` for every leaf of a table, from the current section. */
  private dotted(prefix: string[], table: Table): void {
    for (const [name, value] of Object.entries(table)) {
      const here = [...prefix, name];
      if (isTable(value) && Object.keys(value).length > 0 && this.pick(2) === 0) this.dotted(here, value);
      else this.entry(this.keyPath(here), this.value(value, false));
    }
  }

  private entry(key: string, value: string): void {
    const equals = ['=', ' = ', ' = ', '\t=  '][this.pick(4)];
    this.lines.push(`${this.pick(5) === 0 ? '  ' : ''}${key}${equals}${value}${this.comment()}`);
  }

  private value(value: TomlData, inInline: boolean): string {
    if (typeof value === 'boolean') return String(value);
    if (typeof value === 'string') return this.string(value);
    if (isTable(value)) return this.inline(value);
    const items = value.map((item) => this.value(item, inInline));
    if (inInline || items.length === 0 || this.pick(2) === 0) {
      const comma = this.pick(3) === 0 && items.length > 0 ? ',' : '';
      return `[${items.join(this.pick(2) === 0 ? ',' : ', ')}${comma}]`;
    }
    const indent = this.pick(2) === 0 ? '\t' : '    ';
    const body = items.map(
      (item, i) => `${indent}${item}${i < items.length - 1 || this.pick(2) ? ',' : ''}${this.comment()}`,
    );
    return `[\n${body.join('\n')}\n]`;
  }

  /** `{ a = 1, b.c = 2 }`: one line, as TOML 1.0 requires. */
  private inline(table: Table): string {
    const parts = Object.entries(table).map(([name, value]) => {
      if (isTable(value) && Object.keys(value).length > 0 && this.pick(3) === 0) {
        return Object.entries(value)
          .map(([inner, v]) => `${this.keyPath([name, inner])} = ${this.value(v, true)}`)
          .join(', ');
      }
      return `${this.key(name)} = ${this.value(value, true)}`;
    });
    return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
  }

  private keyPath(path: string[]): string {
    return path.map((part) => this.key(part)).join(this.pick(4) === 0 ? ' . ' : '.');
  }

  private key(name: string): string {
    const style = this.pick(4);
    if (/^[A-Za-z0-9_-]+$/.test(name) && style < 2) return name;
    if (style === 2 && literalSafe(name)) return `'${name}'`;
    return this.basic(name);
  }

  private string(text: string): string {
    const style = this.pick(5);
    if (style === 1 && literalSafe(text)) return `'${text}'`;
    if (style === 2 && literalSafe(text)) return `'''${this.pick(2) ? '\n' : ''}${text}'''`;
    if (style === 3) return this.multilineBasic(text);
    return this.basic(text);
  }

  /** `"…"`, some characters written as `\uXXXX` or `\UXXXXXXXX` escapes. */
  private basic(text: string): string {
    return `"${[...text].map((ch) => this.escaped(ch, this.pick(5) === 0)).join('')}"`;
  }

  /** `"""…"""`, maybe split by line-ending backslashes (which drop the break and the indent after it). */
  private multilineBasic(text: string): string {
    let body = '';
    for (const ch of text) {
      if (body !== '' && !/\s/.test(ch) && this.pick(6) === 0) body += `\\\n${this.pick(2) ? '   ' : ''}`;
      body += this.escaped(ch, this.pick(6) === 0);
    }
    return `"""${this.pick(2) ? '\n' : ''}${body}"""`;
  }

  private escaped(ch: string, always: boolean): string {
    const code = ch.codePointAt(0) ?? 0;
    if (always || ch === '"' || ch === '\\' || code < 0x20 || code === 0x7f) {
      return code > 0xffff || this.pick(4) === 0
        ? `\\U${code.toString(16).padStart(8, '0')}`
        : `\\u${code.toString(16).padStart(4, '0')}`;
    }
    return ch;
  }

  private comment(): string {
    return this.pick(5) === 0
      ? `${this.pick(2) ? ' ' : '  '}# ${['note', 'pinned', '"x" = 1', '[not.a.table]'][this.pick(4)]}`
      : '';
  }

  private blank(): void {
    if (this.lines.length > 0 && this.pick(3) > 0) this.lines.push(this.pick(4) === 0 ? '# --' : '');
  }
}

function literalSafe(text: string): boolean {
  return [...text].every((ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return ch !== "'" && (code === 0x09 || (code >= 0x20 && code !== 0x7f));
  });
}
