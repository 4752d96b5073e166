import { h } from '../dom.ts';

/** Lines shown before the rest of a long diff is folded away. */
const SHOWN_LINES = 400;

/**
 * A unified diff (one file, as `file.changed` carries it) as a table: old and new line numbers,
 * added and removed lines marked. The text is the agent's, so it only ever becomes text nodes.
 */
export function renderDiff(path: string, kind: string, diff: string, from?: string): HTMLElement {
  const rows: HTMLTableRowElement[] = [];
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  let added = 0;
  let removed = 0;
  const lines = diff.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(line);
    if (hunk) {
      inHunk = true;
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      rows.push(
        h('tr', { class: 'hunk' }, h('td', { class: 'ln' }), h('td', { class: 'ln' }), h('td', null, line)),
      );
      continue;
    }
    // File headers come before the first hunk; inside one, a line starting "---" is a removed "--".
    if (!inHunk) continue;
    const mark = line[0];
    if (mark === '+') {
      added += 1;
      rows.push(codeRow('add', '', newLine++, line));
    } else if (mark === '-') {
      removed += 1;
      rows.push(codeRow('del', oldLine++, '', line));
    } else if (mark === '\\') {
      rows.push(codeRow('note', '', '', line));
    } else {
      rows.push(codeRow('ctx', oldLine++, newLine++, line));
    }
  }
  const title = h(
    'div',
    { class: 'diff-title' },
    h('span', { class: `kind kind-${kind}` }, kind),
    h('span', { class: 'mono' }, from ? `${from} → ${path}` : path),
    h(
      'span',
      { class: 'diffstat' },
      h('span', { class: 'plus' }, `+${added}`),
      ' ',
      h('span', { class: 'minus' }, `−${removed}`),
    ),
  );
  if (rows.length === 0) {
    return h(
      'div',
      { class: 'diff' },
      title,
      h('div', { class: 'muted small pad' }, diff ? diff : 'no textual change'),
    );
  }
  const table = h('table', { class: 'diff-lines' }, h('tbody', null, ...rows.slice(0, SHOWN_LINES)));
  const element = h(
    'div',
    { class: 'diff', 'data-path': path },
    title,
    h('div', { class: 'diff-scroll' }, table),
  );
  if (rows.length > SHOWN_LINES) {
    const rest = rows.slice(SHOWN_LINES);
    const button = h('button', { type: 'button', class: 'link' }, `Show ${rest.length} more lines`);
    button.addEventListener('click', () => {
      table.tBodies[0]?.append(...rest);
      button.remove();
    });
    element.append(button);
  }
  return element;
}

function codeRow(
  kind: string,
  oldNo: number | string,
  newNo: number | string,
  text: string,
): HTMLTableRowElement {
  return h(
    'tr',
    { class: kind },
    h('td', { class: 'ln' }, String(oldNo)),
    h('td', { class: 'ln' }, String(newNo)),
    h('td', { class: 'code' }, text),
  );
}
