/**
 * Checks results against the committed JSON Schema (`schema/bench-results.v1.schema.json`, draft-07, checked with
 * ajv): before the runner writes a file, and when `compare` reads one.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import schema from '../schema/bench-results.v1.schema.json' with { type: 'json' };
import { type BenchResults, schemaVersion } from './results.js';

export { schema as resultsSchema };

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const check = ajv.compile(schema);

/** The problems of `data` as `path: message` lines; empty when it is valid. */
export function schemaErrors(data: unknown): string[] {
  if (check(data)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath || '(root)'}: ${e.message ?? 'invalid'}`);
}

/** Throws, naming `source` and the first problems, unless `data` is valid results of this schema version. */
export function assertResults(data: unknown, source: string): asserts data is BenchResults {
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== schemaVersion) {
    throw new Error(
      `${source}: expected seqmodel-bench results with schemaVersion ${schemaVersion}, received schemaVersion ${JSON.stringify(version)}`,
    );
  }
  const errors = schemaErrors(data);
  if (errors.length > 0) {
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    throw new Error(`${source}: does not match the results schema: ${errors.slice(0, 5).join('; ')}${more}`);
  }
}

/** Reads and validates a results file. */
export function readResults(path: string): BenchResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not JSON (${(error as Error).message})`);
  }
  assertResults(data, path);
  return data;
}
