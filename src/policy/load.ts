import { readFile } from 'node:fs/promises';
import { fileProblem, WardenError } from '../errors.ts';
import { type CompiledPolicy, compileToPolicy } from './engine.ts';
import { type ParsedPolicyFile, parsePolicyFile } from './policy-file.ts';

const DEFAULT_POLICY = new URL('./default.policy.yaml', import.meta.url);

/** Read and validate a policy file without compiling it: what `warden policy check` reports. */
export async function checkPolicyFile(file?: string): Promise<ParsedPolicyFile & { source: string }> {
  const source = file ?? 'default';
  let text: string;
  try {
    text = await readFile(file ?? DEFAULT_POLICY, 'utf8');
  } catch (error) {
    return {
      ok: false,
      source,
      errors: [
        new WardenError('policy.read', `cannot read the policy: the file ${fileProblem(error)}`, {
          where: source,
        }),
      ],
    };
  }
  return { ...parsePolicyFile(text, file ?? 'default.policy.yaml'), source };
}

/**
 * The policy at an explicit path, or Warden's default. A repository's own policy file is untrusted
 * (the model may have written it), so nothing here looks for one: only the path a person passes.
 */
export async function loadPolicy(file?: string): Promise<CompiledPolicy> {
  const checked = await checkPolicyFile(file);
  if (!checked.ok) {
    const [only] = checked.errors;
    if (checked.errors.length === 1 && only?.code === 'policy.read') {
      throw new WardenError(only.code, only.message, {
        ...(only.where === undefined ? {} : { where: only.where }),
        hint: 'pass the path of a policy file (warden policy explain shows the default)',
      });
    }
    // Each error names its own file:line:col; together on one line, for a terminal or a log.
    throw new WardenError('policy.invalid', checked.errors.map((e) => e.describe()).join('; '), {
      hint: `run: warden policy check ${file ?? ''}`.trimEnd(),
    });
  }
  return compileToPolicy(checked.file, checked.source);
}
