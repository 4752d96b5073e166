import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { fileProblem, WardenError } from '../errors.ts';
import { yamlLocator } from '../yaml-location.ts';
import { checkBaseCommit, findRepository, type Locate } from './suite-repository.ts';
import {
  DEFAULT_TEST_COMMAND,
  DEFAULT_TIMEOUT_SECONDS,
  instanceSchema,
  jsonPath,
  suiteObjectSchema,
  testCommandProblem,
} from './suite-schema.ts';
import type { EvalInstance, Suite } from './types.ts';

export interface LoadSuiteOptions {
  /** Where `repo: owner/name` is found: DIR/owner__name, DIR/owner/name or DIR/name. */
  repos?: string;
  /** Replaces every instance's test command (`--test-command`). */
  testCommand?: string;
}

interface RawInstance {
  data: unknown;
  locate: Locate;
}

const SHAPE_HINT =
  'a suite is JSONL (one instance a line), a JSON array of instances, or { "name"?, "instances": [...] } in JSON or YAML';

/**
 * Reads a suite file: SWE-bench's JSONL as it is, or JSON/YAML. Every problem is a WardenError
 * (`eval.suite`) naming the file and line, the field, and how to fix it.
 */
export function loadSuite(file: string, options: LoadSuiteOptions = {}): Suite {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw suiteError(`cannot read the suite: the file ${fileProblem(error)}`, path, SHAPE_HINT);
  }
  const text = bytes.toString('utf8');
  const extension = extname(path).toLowerCase();
  const read =
    extension === '.jsonl'
      ? { name: undefined, raw: jsonlInstances(text, path) }
      : extension === '.json' || extension === '.yaml' || extension === '.yml'
        ? documentInstances(text, path, extension === '.json')
        : undefined;
  if (read === undefined) {
    throw suiteError(
      `a suite file ends in .jsonl, .json, .yaml or .yml, not "${extension}"`,
      path,
      SHAPE_HINT,
    );
  }
  if (options.testCommand !== undefined) {
    const problem = testCommandProblem(options.testCommand);
    if (problem !== undefined) throw suiteError(problem, '--test-command', TEST_COMMAND_HINT);
  }
  const firstSeen = new Map<string, string>();
  const instances = read.raw.map(({ data, locate }) => {
    const instance = toInstance(data, locate, dirname(path), options);
    const seen = firstSeen.get(instance.id);
    if (seen !== undefined) {
      throw suiteError(
        `instance_id "${instance.id}" is used twice (first at ${seen})`,
        locate(['instance_id']),
        'every instance needs its own id',
      );
    }
    firstSeen.set(instance.id, locate(['instance_id']));
    return instance;
  });
  if (instances.length === 0) throw suiteError('the suite holds no instances', path, SHAPE_HINT);
  return {
    name: read.name ?? basename(path, extname(path)),
    file: path,
    digest: createHash('sha256').update(bytes).digest('hex'),
    instances,
  };
}

const TEST_COMMAND_HINT =
  'put {tests} where the test names go (or {test} to run them one at a time), e.g. python3 -m pytest -q {tests}';

function suiteError(message: string, where: string, hint: string): WardenError {
  return new WardenError('eval.suite', message, { where, hint });
}

function jsonlInstances(text: string, file: string): RawInstance[] {
  const raw: RawInstance[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${file}:${index + 1}`;
    try {
      raw.push({ data: JSON.parse(line), locate: () => where });
    } catch (error) {
      throw suiteError(
        `not valid JSON: ${(error as Error).message}`,
        where,
        'each line of a .jsonl suite is one JSON object',
      );
    }
  });
  return raw;
}

/** A JSON or YAML suite; JSON is read as JSON and located through YAML, its superset. */
function documentInstances(
  text: string,
  file: string,
  json: boolean,
): { name: string | undefined; raw: RawInstance[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  let data: unknown;
  if (json) {
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw suiteError(`not valid JSON: ${(error as Error).message}`, file, SHAPE_HINT);
    }
  } else {
    const [error] = doc.errors;
    if (error !== undefined) {
      const { line, col } = lines.linePos(error.pos[0]);
      throw suiteError(
        `not valid YAML: ${error.message.split('\n')[0]}`,
        `${file}:${line}:${col}`,
        SHAPE_HINT,
      );
    }
    data = doc.toJS({ maxAliasCount: 50 });
  }
  const shape = suiteObjectSchema.safeParse(data);
  if (!shape.success) throw suiteError('not a suite', `${file}:1`, SHAPE_HINT);
  const listed = Array.isArray(shape.data) ? shape.data : shape.data.instances;
  const prefix = Array.isArray(shape.data) ? [] : ['instances'];
  const at = yamlLocator(file, doc, lines);
  return {
    name: Array.isArray(shape.data) ? undefined : shape.data.name,
    raw: listed.map((item, index) => ({ data: item, locate: (path) => at([...prefix, index, ...path]) })),
  };
}

function toInstance(
  data: unknown,
  locate: Locate,
  suiteDir: string,
  options: LoadSuiteOptions,
): EvalInstance {
  const parsed = instanceSchema.safeParse(data);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path ?? [];
    const id =
      typeof (data as { instance_id?: unknown })?.instance_id === 'string'
        ? (data as { instance_id: string }).instance_id
        : undefined;
    const message =
      issue?.code !== 'invalid_type'
        ? (issue?.message ?? 'is invalid')
        : valueAt(data, path) === undefined
          ? 'is missing'
          : `must be a ${issue.expected}`;
    throw suiteError(
      `${id === undefined ? '' : `instance "${id}": `}${jsonPath(path)} ${message}`,
      locate(path),
      'SWE-bench fields: instance_id, repo, base_commit, problem_statement, test_patch, FAIL_TO_PASS, PASS_TO_PASS; Warden adds repository, setup, timeout, test_command',
    );
  }
  const fields = parsed.data;
  const repository = findRepository(fields, locate, suiteDir, options.repos);
  const baseCommit = checkBaseCommit(fields, repository, locate);
  const testCommand = options.testCommand ?? fields.test_command ?? DEFAULT_TEST_COMMAND;
  const problem = testCommandProblem(testCommand);
  if (problem !== undefined) throw suiteError(problem, locate(['test_command']), TEST_COMMAND_HINT);
  return {
    id: fields.instance_id,
    repository,
    baseCommit,
    problemStatement: fields.problem_statement,
    testPatch: fields.test_patch,
    failToPass: fields.FAIL_TO_PASS,
    passToPass: fields.PASS_TO_PASS,
    setup: fields.setup,
    testCommand,
    timeoutSeconds: fields.timeout ?? DEFAULT_TIMEOUT_SECONDS,
  };
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | null | undefined)?.[key];
  return value;
}
