/**
 * The versions of core's contracts for code written elsewhere: backends (`Backend`, with its kernel table and the
 * kernels registered for it) and cell plugins (`CellPlugin`). Like vercel/ai's provider specification, an
 * implementation states the version it implements in a `specificationVersion` field, written as a literal
 * (`specificationVersion: 'v1'`) so that it keeps saying what it was written against. A change that an existing
 * implementation could break on (a new required member, a changed meaning) is a new version; core accepts the
 * versions it lists here and names the mismatch in its error otherwise. Implementations written before the field
 * existed leave it out: absent means `v1`.
 */
import { describeValue, SeqmodelError } from './errors.js';

/** The `Backend` contract versions this core implements. */
export const backendSpecificationVersions = ['v1'] as const;
export type BackendSpecificationVersion = (typeof backendSpecificationVersions)[number];

/** The `CellPlugin` contract versions this core implements. */
export const cellSpecificationVersions = ['v1'] as const;
export type CellSpecificationVersion = (typeof cellSpecificationVersions)[number];

function checkVersion(
  contract: string,
  supported: readonly string[],
  argument: string,
  version: unknown,
): void {
  if (version === undefined || supported.includes(version as string)) return;
  throw new SeqmodelError(
    `${argument}.specificationVersion: expected ${supported.map((v) => JSON.stringify(v)).join(' or ')} ` +
      `(the ${contract} contract this @seqmodel/core implements), received ${describeValue(version)}; ` +
      `it was written for another version of @seqmodel/core: install versions of the two packages that match`,
  );
}

/** Throws a `SeqmodelError` naming `argument` when `backend` declares a contract version this core does not know. */
export function checkBackendSpecification(backend: unknown, argument: string): void {
  checkVersion(
    'Backend',
    backendSpecificationVersions,
    argument,
    (backend as { specificationVersion?: unknown } | null)?.specificationVersion,
  );
}

/** Throws a `SeqmodelError` naming `argument` when `cell` declares a contract version this core does not know. */
export function checkCellSpecification(cell: unknown, argument: string): void {
  checkVersion(
    'CellPlugin',
    cellSpecificationVersions,
    argument,
    (cell as { specificationVersion?: unknown } | null)?.specificationVersion,
  );
}

/** Members every backend has; a value without them is not a backend (a backend's name, `{}`, a tfjs module). */
const backendMembers = [
  'tensor',
  'isTensor',
  'dataSync',
  'dispose',
  'tidy',
  'keep',
  'shape',
  'matMul',
] as const;

/**
 * Throws a `SeqmodelError` unless `backend` is a seqmodel `Backend` of a contract version this core knows. The
 * message says what a backend is and how to make one, since the usual mistakes are a backend's name (`'cpu'`), an
 * empty object, or a forgotten argument.
 */
export function checkBackend(argument: string, backend: unknown): void {
  const record = backend as Record<string, unknown> | null;
  const missing =
    typeof backend !== 'object' || backend === null
      ? backendMembers
      : backendMembers.filter((m) => typeof record![m] !== 'function');
  if (missing.length > 0) {
    const hint =
      typeof backend === 'string'
        ? '; a backend is an object made by a factory, not its name'
        : backend === undefined
          ? ''
          : missing.length < backendMembers.length
            ? ` (it lacks ${missing.join(', ')})`
            : '';
    throw new SeqmodelError(
      `${argument}: expected a seqmodel Backend (an object with tensor, matMul, dispose, ... as @seqmodel/core's Backend ` +
        `declares), received ${describeValue(backend)}${hint}. Make one with createCpuBackend() from ` +
        '@seqmodel/backend-cpu, await createWasmBackend() from @seqmodel/backend-wasm, or createReferenceBackend() ' +
        'from @seqmodel/core',
    );
  }
  checkBackendSpecification(backend, argument);
}
