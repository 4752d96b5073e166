const KEYWORDS = new Set(
  (
    'as async await break case catch class const continue def default defer del do elif else enum export ' +
    'extends false final finally fn for from func function go if impl import in interface is let match mod ' +
    'new nil None not null or package pass pub raise return self static struct super switch this throw true ' +
    'True False try type typeof undefined use var void while with yield'
  ).split(' '),
);

const SHELL = new Set(['sh', 'bash', 'shell', 'zsh', 'console']);

// One pass per line: a comment, a string, a number, or a word; everything else is left as it is.
const TOKEN =
  /(\/\/.*$|#.*$|--\s.*$)|("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?)|(\b\d[\d_.]*(?:e[+-]?\d+)?\b)|([A-Za-z_$][\w$]*)/g;

const colour = (open: number) => (text: string) => `\u001b[${open}m${text}\u001b[39m`;
const comment = (text: string) => `\u001b[90m${text}\u001b[39m`;
const string = colour(32);
const number = colour(33);
const keyword = colour(35);

/**
 * Code blocks of the model's replies, lightly coloured: comments, strings, numbers and the
 * keywords of the common languages. A guess, never an error: unknown languages get the same.
 * The text is already cleaned of control characters; only colour codes are added.
 */
export function highlightCode(code: string, lang?: string): string[] {
  const hashComments = lang === undefined || SHELL.has(lang) || /^(py|python|rb|ruby|ya?ml|toml)$/.test(lang);
  return code.split('\n').map((line) =>
    line.replace(TOKEN, (match, note: string, text: string, digits: string, word: string, offset: number) => {
      if (note !== undefined) {
        // `#` starts a comment only in languages that use it, and not inside a word (`a#b`).
        if (note.startsWith('#') && (!hashComments || (offset > 0 && !/\s/.test(line[offset - 1] ?? ''))))
          return match;
        return comment(note);
      }
      if (text !== undefined) return string(text);
      if (digits !== undefined) return number(digits);
      if (word !== undefined && KEYWORDS.has(word)) return keyword(word);
      return match;
    }),
  );
}
