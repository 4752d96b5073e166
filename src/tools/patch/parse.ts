import { parseCodexPatch } from './parse-codex.ts';
import { parseUnifiedDiff } from './parse-unified.ts';
import type { Parsed, Patch } from './types.ts';

/** Either format, told apart by its first marker; models send both. */
export function parsePatch(text: string): Parsed<Patch> {
  if (/^\s*(<<\s*['"]?\w+['"]?\s*\n\s*)?\*\*\* Begin Patch/.test(text)) return parseCodexPatch(text);
  if (/^(diff --git |--- |@@ )/m.test(text)) return parseUnifiedDiff(text);
  return {
    ok: false,
    error:
      'not a patch: expected the Codex format ("*** Begin Patch" … "*** End Patch") or a unified diff ("--- a/path", "+++ b/path", "@@ -l,s +l,s @@")',
  };
}
