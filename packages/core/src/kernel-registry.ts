/**
 * The kernel registry: fused kernels that a package adds to backends it does not own, keyed, as in tfjs's kernel
 * registry, by the backend's name, the kernel's kind and its name (`cpu` / `attention` / `dotProduct`). It is how
 * `@seqmodel/attention` gives the cpu, wasm and webgpu backends its attention kernels, and how a compiled plugin cell gives
 * them its `sequence` kernel, without editing the backend packages. Registration is explicit, like `registerCell`:
 * the package exports a function that calls `registerKernel`, and the application calls it. A backend whose
 * kernel table is built by `createKernelTable` (every tfjs-based one) looks registered kernels up on each call, so
 * kernels registered after the backend was created count too; each is built once per backend instance.
 */
import type { Backend, KernelFor } from './backend.js';
import { invalidArgument, SeqmodelError } from './errors.js';
import type { KernelKind } from './fused-kernel.js';
import { type BackendSpecificationVersion, checkBackendSpecification } from './specification.js';

// biome-ignore lint/suspicious/noExplicitAny: a registration is for backends of any tensor type.
export type AnyBackend = Backend<any>;

/** The tensor type of a backend type. */
export type TensorOf<B> = B extends Backend<infer T> ? T : never;

/**
 * One fused kernel: its kind, the name it serves (a cell's name for `sequence`), and the kernel, or a factory that
 * builds it for the backend instance it will run on (so that it can use that backend's ops, `tidy` and matrix
 * products).
 *
 * @typeParam B - the backends it runs on (`TfjsBackend` for a tfjs kernel).
 */
export interface KernelDefinition<B extends AnyBackend = AnyBackend, K extends KernelKind = KernelKind> {
  readonly kind: K;
  readonly name: string;
  readonly kernel: KernelFor<TensorOf<B>, K> | ((backend: B) => KernelFor<TensorOf<B>, K>);
}

/** A kernel registered for the backends named `backend`. */
export interface KernelRegistration<B extends AnyBackend = AnyBackend, K extends KernelKind = KernelKind>
  extends KernelDefinition<B, K> {
  /** The `Backend.name` of the backends it is for: `cpu`, `wasm`, ... */
  readonly backend: string;
  /** The version of the Backend contract (its kernel interfaces) the kernel implements; absent means `'v1'`. */
  readonly specificationVersion?: BackendSpecificationVersion;
}

/** Where a registered kernel is filed. */
export interface KernelKey {
  readonly backend: string;
  readonly kind: KernelKind;
  readonly name: string;
}

export interface RegisterKernelOptions {
  /** Replace a kernel already registered under the same backend, kind and name instead of throwing. */
  readonly replace?: boolean;
}

const kindPattern = /^[A-Za-z][\w.-]*$/;

function keyOf(k: KernelKey): string {
  return `${k.backend}\u0000${k.kind}\u0000${k.name}`;
}

/** `backend/kind/name`, as errors and logs show a registration. */
export function formatKernelKey(k: KernelKey): string {
  return `${k.backend}/${k.kind}/${k.name}`;
}

/** Checks that `kind` is a kernel kind's name (letters, digits, `_`, `-`, `.`), naming `argument` otherwise. */
export function checkKernelKind(argument: string, kind: unknown): asserts kind is KernelKind {
  if (typeof kind !== 'string' || !kindPattern.test(kind)) {
    invalidArgument(argument, kind, 'a kind name such as "sequence" or "attention"');
  }
}

/** Checks that `kernel` is a fused kernel object, naming `argument` otherwise. */
export function checkFusedKernel(argument: string, kernel: unknown): void {
  const k = kernel as { supports?: unknown; run?: unknown } | null;
  if (typeof k?.supports !== 'function' || typeof k.run !== 'function') {
    invalidArgument(argument, kernel, 'an object with supports(args) and run(args)');
  }
}

function checkRegistration(registration: unknown): asserts registration is KernelRegistration {
  const r = registration as Partial<KernelRegistration> | null;
  if (typeof r !== 'object' || r === null) {
    invalidArgument(
      'registerKernel(registration)',
      registration,
      'an object with backend, kind, name and kernel',
    );
  }
  for (const field of ['backend', 'name'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '') {
      invalidArgument(`registerKernel(registration).${field}`, r[field], 'a non-empty string');
    }
  }
  checkKernelKind('registerKernel(registration).kind', r.kind);
  const where = `registerKernel(${formatKernelKey(r as KernelKey)})`;
  checkBackendSpecification(r, where);
  if (typeof r.kernel !== 'function') checkFusedKernel(`${where}.kernel`, r.kernel);
}

/** Registered kernels by backend name, kind and name. Most code uses the default registry (the functions below). */
export class KernelRegistry {
  private readonly entries = new Map<string, KernelRegistration>();

  register(registration: KernelRegistration, options: RegisterKernelOptions = {}): void {
    checkRegistration(registration);
    const key = keyOf(registration);
    if (this.entries.has(key) && !options.replace) {
      throw new SeqmodelError(
        `registerKernel: a ${registration.kind} kernel ${JSON.stringify(registration.name)} is already registered ` +
          `for backend ${JSON.stringify(registration.backend)}; pass { replace: true } to replace it`,
      );
    }
    this.entries.set(key, registration);
  }

  /** Removes a registration; returns whether it was there. */
  unregister(key: KernelKey): boolean {
    return this.entries.delete(keyOf(key));
  }

  /** The registration filed under `key`, if any. */
  get(key: KernelKey): KernelRegistration | undefined {
    return this.entries.get(keyOf(key));
  }

  /** Registered keys, in registration order, optionally only those matching `filter`'s fields. */
  list(filter: Partial<KernelKey> = {}): KernelKey[] {
    return [...this.entries.values()]
      .filter((r) => Object.entries(filter).every(([field, value]) => r[field as keyof KernelKey] === value))
      .map(({ backend, kind, name }) => ({ backend, kind, name }));
  }
}

/** The registry `registerKernel` writes to and `createKernelTable` reads by default. */
export const defaultKernelRegistry = new KernelRegistry();

/**
 * Registers a fused kernel for every backend named `registration.backend` (existing ones included). Registering the
 * same backend, kind and name twice throws unless `{ replace: true }`.
 *
 * @example
 * // In @seqmodel/attention: `registerAttentionKernels()` for the backends it has kernels for.
 * for (const backend of ['cpu', 'wasm']) {
 *   registerKernel({ backend, kind: 'attention', name: 'dotProduct', kernel: (b: TfjsBackend) => dotProductKernel(b) });
 * }
 */
export function registerKernel<B extends AnyBackend = AnyBackend, K extends KernelKind = KernelKind>(
  registration: KernelRegistration<B, K>,
  options?: RegisterKernelOptions,
): void {
  defaultKernelRegistry.register(registration as unknown as KernelRegistration, options);
}

/** Removes a kernel from the default registry; returns whether it was there. */
export function unregisterKernel(key: KernelKey): boolean {
  if (typeof key !== 'object' || key === null) {
    invalidArgument('unregisterKernel(key)', key, 'an object with backend, kind and name');
  }
  return defaultKernelRegistry.unregister(key);
}

/** The kernels in the default registry, optionally only those for one backend, kind or name. */
export function listKernels(filter?: Partial<KernelKey>): KernelKey[] {
  if (filter !== undefined && (typeof filter !== 'object' || filter === null)) {
    invalidArgument('listKernels(filter)', filter, 'an object with backend, kind or name');
  }
  return defaultKernelRegistry.list(filter);
}
