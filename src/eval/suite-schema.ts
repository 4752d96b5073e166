import { z } from 'zod';

/** SWE-bench's Python repositories; `{tests}` becomes the group's test names, each shell-quoted. */
export const DEFAULT_TEST_COMMAND = 'python3 -m pytest -q -p no:cacheprovider {tests}';
export const DEFAULT_TIMEOUT_SECONDS = 600;

const testName = z
  .string()
  .min(1, 'is an empty test name')
  .refine((name) => !name.includes('\0'), 'holds a NUL byte');
const testNames = z.array(testName);

/**
 * A list of test names: a JSON array, or (as SWE-bench Lite ships FAIL_TO_PASS and PASS_TO_PASS)
 * a string holding one.
 */
const testList = z.unknown().transform((value, ctx): string[] => {
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is a string that does not hold a JSON array of test names (${(error as Error).message})`,
      });
      return z.NEVER;
    }
  }
  const parsed = testNames.safeParse(list);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  ctx.addIssue({
    code: 'custom',
    message:
      issue?.code === 'invalid_type' && issue.path.length === 0
        ? 'must be a list of test names (a JSON array of strings, or a string holding one)'
        : `item [${String(issue?.path[0])}] ${issue?.code === 'invalid_type' ? 'is not a string' : issue?.message}`,
  });
  return z.NEVER;
});

/** Written as JSON inside a string, the way SWE-bench Lite stores FAIL_TO_PASS and PASS_TO_PASS. */
export function encodeTestList(names: readonly string[]): string {
  return JSON.stringify(names);
}

/**
 * One line of a suite: SWE-bench's fields (its own extra fields, `patch`, `hints_text`, `version`…,
 * are accepted and ignored) and Warden's `repository`, `setup`, `timeout` and `test_command`.
 */
export const instanceSchema = z.looseObject({
  instance_id: z.string().min(1, 'is empty'),
  repo: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be "owner/name"')
    .refine((repo) => !repo.split('/').some((part) => part === '.' || part === '..'), 'must be "owner/name"')
    .optional(),
  repository: z.string().min(1, 'is empty').optional(),
  base_commit: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be a commit id (or a branch or tag name)')
    .optional(),
  problem_statement: z.string().min(1, 'is empty: it is all the contestant is told'),
  test_patch: z.string().default(''),
  FAIL_TO_PASS: testList.refine((tests) => tests.length > 0, {
    message: 'is empty: an instance needs at least one test that fails before the fix and passes after',
  }),
  PASS_TO_PASS: testList.default([]),
  setup: z.string().min(1, 'is empty').optional(),
  timeout: z.number().positive('must be a positive number of seconds').optional(),
  test_command: z.string().optional(),
});

export type InstanceFields = z.infer<typeof instanceSchema>;

/** A `.json` or `.yaml` suite: a bare array of instances, or an object that may name itself. */
export const suiteObjectSchema = z.union([
  z.array(z.unknown()),
  z.looseObject({ name: z.string().min(1).optional(), instances: z.array(z.unknown()) }),
]);

/** `$.FAIL_TO_PASS[2]`: where in an instance a problem is. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`),
    '$',
  );
}

/** Why a test command cannot be graded by, or undefined when it can. */
export function testCommandProblem(command: string): string | undefined {
  if (command.trim() === '') return 'the test command is empty';
  if (!command.includes('{tests}') && !command.includes('{test}')) {
    return `the test command "${command}" has neither {tests} nor {test}, so Warden cannot tell which tests passed`;
  }
  return undefined;
}
