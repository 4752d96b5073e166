/**
 * Building the page. Everything from the API is untrusted (task text, file names, command output),
 * so it only ever enters the document as a text node or an attribute value; there is no path from
 * a string to markup here, and the page's Trusted Types policy refuses `innerHTML` besides.
 */

export type Child = Node | string | number | null | undefined | false;

type Listener = (event: Event) => void;

export type Props = Record<string, string | number | boolean | null | undefined | Listener>;

/** An element with attributes, `on…` listeners and children; strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyProps(element, props);
  append(element, ...children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element, the same way. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  applyProps(element, props);
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(revealBidi(String(child))));
  }
}

const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Bidirectional-text controls reorder what a line shows — an instance id that reads as another, a
 * line of code that reads as it does not run — so they are shown as what they are: ⟨U+202E⟩.
 */
export function revealBidi(text: string): string {
  return text.replace(
    BIDI_CONTROLS,
    (char) => `⟨U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`,
  );
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

function applyProps(element: Element, props: Props | null): void {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'href' && !isSafeHref(String(value))) {
      // A link built from data must not become `javascript:`: only in-app, same-origin and blob links.
      throw new Error(`refusing link ${JSON.stringify(value)}`);
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function isSafeHref(href: string): boolean {
  return href.startsWith('#') || (href.startsWith('/') && !href.startsWith('//')) || href.startsWith('blob:');
}

/** An in-app link: `link('#/tasks/' + id, text)`, with each dynamic part encoded by the caller. */
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h('a', { href }, ...children);
}

/** `#/tasks/<id>` with the id encoded, so an id can never change the route's shape. */
export function route(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}
