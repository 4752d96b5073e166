import { randomBytes } from 'node:crypto';
import { detectInjection, type InjectionFinding } from './injection-rules.ts';
import { CONTROL_CHARACTERS, neutraliseInvisible } from './invisible-text.ts';

/**
 * Content from the workspace or a command — file text, search matches, command output, the
 * repository overview — goes to the model as data, inside an envelope:
 *
 *     <untrusted-data id="3f9a1c2b7d4e8a60" source="read_file README.md">
 *     …content…
 *     </untrusted-data id="3f9a1c2b7d4e8a60">
 *
 * The id is random per session, so text written before the session (a README, a test's output)
 * cannot carry the closing marker; and any marker-like text inside the content is escaped anyway
 * (`<` becomes `&lt;`), so a block ends only where Warden ends it. Invisible tag characters are
 * removed and bidi controls made visible, and the opening marker says so.
 */
export const ENVELOPE_TAG = 'untrusted-data';

const LABEL_CHARS = 120;
/** `<untrusted-data`, `</untrusted-data`, `< / Untrusted_Data`… — bounded, so linear. */
const MARKER_LIKE = /<(?=[^\S\n]{0,8}\/?[^\S\n]{0,8}untrusted[-_ ]?data)/gi;

export interface Received {
  /** What the model reads. */
  text: string;
  /** Instruction-like text found in the content; each becomes a `guard.flagged` event. */
  findings: InjectionFinding[];
}

export interface UntrustedContent {
  /** This session's marker id. */
  readonly nonce: string;
  /** Scans content from `source` and wraps it for the model. */
  receive(content: string, source: string): Received;
}

export function createUntrustedContent(
  options: { nonce?: string; detect?: (text: string) => InjectionFinding[] } = {},
): UntrustedContent {
  const nonce = options.nonce ?? randomBytes(8).toString('hex');
  const detect = options.detect ?? detectInjection;
  return {
    nonce,
    receive(content, source) {
      const findings = detect(content);
      return { text: wrapUntrusted(content, source, nonce), findings };
    },
  };
}

/** The envelope alone: neutralised, escaped content between markers carrying `nonce`. */
export function wrapUntrusted(content: string, source: string, nonce: string): string {
  const { text, notes } = neutraliseInvisible(content);
  const attributes = [`id="${nonce}"`, `source="${attribute(source)}"`];
  if (notes.length > 0) attributes.push(`note="${attribute(notes.join('; '))}"`);
  const body = text.replace(MARKER_LIKE, '&lt;');
  return `<${ENVELOPE_TAG} ${attributes.join(' ')}>\n${body}${body === '' || body.endsWith('\n') ? '' : '\n'}</${ENVELOPE_TAG} id="${nonce}">`;
}

/** A label as an attribute value: one line, no quotes or angle brackets, short. */
function attribute(value: string): string {
  const clean = neutraliseInvisible(value)
    .text.replace(CONTROL_CHARACTERS, ' ')
    .replace(/\s+/g, ' ')
    .replace(/"/g, "'")
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .trim();
  return clean.length <= LABEL_CHARS ? clean : `${clean.slice(0, LABEL_CHARS - 1)}…`;
}
