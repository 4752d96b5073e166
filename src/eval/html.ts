/**
 * HTML built by a template tag that escapes every interpolated value unless it is itself markup
 * made by the tag: escaping is the default, so an instance id or a model name can only ever be
 * text, in an element or in a quoted attribute.
 */

const MARKUP = Symbol('markup');

export interface Markup {
  readonly [MARKUP]: string;
}

export type Interpolation = Markup | string | number | null | undefined | false | readonly Interpolation[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as it must appear inside an element or a quoted attribute value. */
export function escapeHtml(text: string): string {
  // Bidirectional-text controls go too: they would make one name read as another.
  return text.replace(BIDI_CONTROLS, '').replace(/[&<>"']/g, (char) => ENTITIES[char] as string);
}

const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function markup(text: string): Markup {
  return { [MARKUP]: text };
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object') return (value as Markup)[MARKUP];
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0] as string;
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] as string);
  });
  return markup(out);
}

/** Markup the program wrote itself (the stylesheet), never data. */
export function trustedMarkup(text: string): Markup {
  return markup(text);
}

export function toHtmlString(value: Markup): string {
  return value[MARKUP];
}
