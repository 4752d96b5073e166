import { readFile } from 'node:fs/promises';
import { WardenError } from '../errors.ts';
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
        new WardenError('policy.read', `cannot read the policy: ${(error as Error).message}`, {
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
    const [first] = checked.errors;
    throw new WardenError('policy.invalid', checked.errors.map((e) => e.describe()).join('\n'), {
      where: first?.where,
      hint: 'run: warden policy check FILE',
    });
  }
  return compileToPolicy(checked.file, checked.source);
}
