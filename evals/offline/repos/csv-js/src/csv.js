/** Splits one CSV record into its fields. */
export function parseLine(line) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else {
      field += ch;
    }
  }
  fields.push(field);
  return fields;
}

/** Every non-empty line of `text` as a record. */
export function parse(text) {
  return text
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map(parseLine);
}

function quote(field) {
  const text = String(field);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of fields as CSV text, one line per row. */
export function stringify(rows) {
  return rows.map((row) => `${row.map(quote).join(',')}\n`).join('');
}
