/**
 * A backend's kernel table and the choice of a kernel for one call. `createKernelTable` is the table every backend
 * can use: the backend's own kernels first (built once, when the table is made), then the one registered for the
 * backend's name, if any (built on first use by this backend). `selectKernel` picks the first kernel that supports
 * the arguments, or says why none does; `runSequence` uses it for the `sequence` kind, and a package with a kind of
 * its own (attention) calls it the same way, with its generic path as the fallback.
 */
import type { Backend, KernelFor, KernelTable } from './backend.js';
import { debugLogOnce } from './debug.js';
import { invalidArgument, SeqmodelError } from './errors.js';
import type { AnyFusedKernel, FusedKernel, KernelKind } from './fused-kernel.js';
import {
  type AnyBackend,
  checkFusedKernel,
  checkKernelKind,
  defaultKernelRegistry,
  formatKernelKey,
  type KernelDefinition,
  type KernelRegistration,
  type KernelRegistry,
  type TensorOf,
} from './kernel-registry.js';
import type { FusedSequenceKernel } from './sequence.js';
import { checkBackendSpecification } from './specification.js';

/**
 * The name of kernels that serve every name of their kind (a compiled `sequence` kernel serves every cell): tried
 * after the kernels registered or built in for the exact name.
 */
export const anyName = '*';

/** How a caller chooses between a fused kernel and the generic path. */
export type FusedPolicy = 'auto' | 'never' | 'require';

export interface KernelTableOptions<B extends AnyBackend> {
  /** The backend the table belongs to: factories are given it, and registered kernels are found by its name. */
  readonly backend: B;
  /** The backend's own kernels, tried before a registered one, in this order. */
  readonly kernels?: readonly KernelDefinition<B>[];
  /** Use the kernels registered for the backend's name (default true; false for a backend without fused kernels). */
  readonly registered?: boolean;
  /** Where registered kernels are read (default: the registry `registerKernel` writes to). */
  readonly registry?: KernelRegistry;
  /**
   * Applied to every kernel once it is built, own or registered: a backend's guard (making itself current,
   * checking tensor arguments, freeing intermediates).
   */
  readonly wrap?: (kernel: AnyFusedKernel, kind: KernelKind, name: string) => AnyFusedKernel;
}

class BackendKernelTable<B extends AnyBackend> implements KernelTable<TensorOf<B>> {
  private readonly own = new Map<string, Map<string, AnyFusedKernel[]>>();
  private readonly built = new WeakMap<KernelRegistration, AnyFusedKernel>();
  private readonly backend: B;
  private readonly registry: KernelRegistry | undefined;
  private readonly wrap: NonNullable<KernelTableOptions<B>['wrap']>;

  constructor(options: KernelTableOptions<B>) {
    this.backend = options.backend;
    this.registry = options.registered === false ? undefined : (options.registry ?? defaultKernelRegistry);
    this.wrap = options.wrap ?? ((kernel) => kernel);
    (options.kernels ?? []).forEach((definition, i) => {
      const argument = `kernels[${i}]`;
      if (typeof definition !== 'object' || definition === null) {
        invalidArgument(argument, definition, 'an object with kind, name and kernel');
      }
      const { kind, name } = definition;
      checkKernelKind(`${argument}.kind`, kind);
      if (typeof name !== 'string' || name === '')
        invalidArgument(`${argument}.name`, name, 'a non-empty string');
      const kernel = this.build(definition, `${argument}.kernel`);
      const byName = this.own.get(kind) ?? new Map<string, AnyFusedKernel[]>();
      byName.set(name, [...(byName.get(name) ?? []), kernel]);
      this.own.set(kind, byName);
    });
  }

  private build(definition: KernelDefinition<B>, argument: string): AnyFusedKernel {
    const factory = definition.kernel;
    const kernel: unknown = typeof factory === 'function' ? factory(this.backend) : factory;
    checkFusedKernel(typeof factory === 'function' ? `${argument}(backend)` : argument, kernel);
    return this.wrap(kernel as AnyFusedKernel, definition.kind, definition.name);
  }

  private registeredKernel(kind: KernelKind, name: string): AnyFusedKernel | undefined {
    const registration = this.registry?.get({ backend: this.backend.name, kind, name });
    if (!registration) return undefined;
    let kernel = this.built.get(registration);
    if (!kernel) {
      kernel = this.build(registration, `registerKernel(${formatKernelKey(registration)}).kernel`);
      this.built.set(registration, kernel);
    }
    return kernel;
  }

  private named(kind: KernelKind, name: string): AnyFusedKernel[] {
    const own = this.own.get(kind)?.get(name) ?? [];
    const registered = this.registeredKernel(kind, name);
    return registered ? [...own, registered] : own;
  }

  lookup<K extends KernelKind>(kind: K, name: string): readonly KernelFor<TensorOf<B>, K>[] {
    const exact = this.named(kind, name);
    const any = name === anyName ? [] : this.named(kind, anyName);
    return [...exact, ...any] as KernelFor<TensorOf<B>, K>[];
  }

  names(kind: KernelKind): string[] {
    const registered = this.registry?.list({ backend: this.backend.name, kind }).map((k) => k.name) ?? [];
    return [...new Set([...(this.own.get(kind)?.keys() ?? []), ...registered])].filter((n) => n !== anyName);
  }

  kinds(): string[] {
    const registered = this.registry?.list({ backend: this.backend.name }).map((k) => k.kind) ?? [];
    return [...new Set([...this.own.keys(), ...registered])];
  }
}

/**
 * The kernel table of `options.backend`: its own kernels, then those registered for its name; for each name, then
 * the kernels filed under {@link anyName} (`*`), which serve every name of their kind.
 *
 * @example
 * class MyBackend implements Backend<MyTensor> {
 *   readonly specificationVersion = 'v1';
 *   readonly kernels = createKernelTable({ backend: this, kernels: [{ kind: 'sequence', name: 'lstm', kernel: myLstm }] });
 * }
 */
export function createKernelTable<B extends AnyBackend>(
  options: KernelTableOptions<B>,
): KernelTable<TensorOf<B>> {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('createKernelTable(options)', options, 'an object with backend');
  }
  if (
    typeof options.backend !== 'object' ||
    options.backend === null ||
    typeof options.backend.name !== 'string'
  ) {
    invalidArgument('createKernelTable(options.backend)', options.backend, 'a backend');
  }
  checkBackendSpecification(options.backend, 'createKernelTable(options.backend)');
  return new BackendKernelTable(options);
}

/**
 * The kernels `backend` has of `kind` for `name`, in the order they are tried: from its `kernels` table, or, for a
 * backend without one, its (deprecated) `fusedKernels` map for the `sequence` kind.
 */
export function kernelsOf<T, K extends KernelKind>(
  backend: Backend<T>,
  kind: K,
  name: string,
): readonly KernelFor<T, K>[] {
  if (backend.kernels) return backend.kernels.lookup(kind, name);
  const legacy = kind === 'sequence' ? backend.fusedKernels?.get(name) : undefined;
  return (legacy ? [legacy] : []) as KernelFor<T, K>[];
}

/**
 * One kernel standing for several: it supports what any of them supports and runs the first that does (the reasons
 * of all when none does).
 */
function firstSupporting<A, R>(kernels: readonly FusedKernel<A, R>[]): FusedKernel<A, R> {
  const reasons = (args: A): string[] => kernels.map((k) => k.supports(args)).filter((r) => r !== undefined);
  return {
    supports: (args) => {
      const why = reasons(args);
      return why.length < kernels.length ? undefined : why.join('; ');
    },
    run: (args) => {
      const kernel = kernels.find((k) => k.supports(args) === undefined);
      if (!kernel)
        throw new SeqmodelError(`no fused kernel supports these arguments: ${reasons(args).join('; ')}`);
      return kernel.run(args);
    },
  };
}

/**
 * The kernel of `kind` for `name` on `backend` as one object (several are tried in order), or undefined when there
 * is none. For kits and tools that inspect a kernel; running code uses {@link selectKernel}.
 */
export function findKernel<T, K extends KernelKind>(
  backend: Backend<T>,
  kind: K,
  name: string,
): KernelFor<T, K> | undefined {
  const kernels = kernelsOf(backend, kind, name);
  if (kernels.length <= 1) return kernels[0];
  return firstSupporting(kernels as readonly AnyFusedKernel[]) as KernelFor<T, K>;
}

/**
 * `backend`'s `sequence` kernels as a map by cell name, live (kernels registered later show up): what a backend with
 * a kernel table answers for the deprecated `Backend.fusedKernels`.
 */
export function sequenceKernelMap<T>(backend: Backend<T>): ReadonlyMap<string, FusedSequenceKernel<T>> {
  const names = () => backend.kernels?.names('sequence') ?? [];
  const entries = () =>
    names().map((n): [string, FusedSequenceKernel<T>] => [n, findKernel(backend, 'sequence', n)!]);
  return {
    get: (name) => findKernel(backend, 'sequence', name),
    has: (name) => kernelsOf(backend, 'sequence', name).length > 0,
    get size() {
      return names().length;
    },
    forEach(callback, thisArg) {
      for (const [name, kernel] of entries()) callback.call(thisArg, kernel, name, this);
    },
    keys: () => names()[Symbol.iterator](),
    values: () =>
      entries()
        .map(([, kernel]) => kernel)
        [Symbol.iterator](),
    entries: () => entries()[Symbol.iterator](),
    [Symbol.iterator]: () => entries()[Symbol.iterator](),
  };
}

/**
 * The kernel that will run `args`: the first of `backend`'s kernels of `kind` for `name` that supports them. With
 * policy `auto` (the default), undefined when none does, and the reason goes to the debug log (topic `fused`; once
 * for each backend, name and reason, not at every call); `never` always answers undefined; `require` throws a
 * `SeqmodelError` with the reason instead. The caller runs its generic path on undefined.
 *
 * @example
 * // An attention layer: the backend's fused kernel when it has one for these arguments, else the generic ops.
 * const kernel = selectKernel<T, DotProductArgs<T>, T>(backend, 'attention', 'dotProduct', args);
 * return kernel ? kernel.run(args) : dotProductAttention(backend, args);
 */
export function selectKernel<T, A = unknown, R = unknown>(
  backend: Backend<T>,
  kind: KernelKind,
  name: string,
  args: A,
  policy: FusedPolicy = 'auto',
): FusedKernel<A, R> | undefined {
  checkBackendSpecification(backend, 'selectKernel(backend)');
  if (policy === 'never') return undefined;
  const kernels = kernelsOf(backend, kind, name) as readonly FusedKernel<A, R>[];
  const reasons: string[] = [];
  // The `sequence` kind keeps the wording it had before kernels had kinds.
  const what = kind === 'sequence' ? name : `${kind} ${name}`;
  const path = kind === 'sequence' ? name : `${kind}/${name}`;
  for (const kernel of kernels) {
    const reason = kernel.supports(args);
    if (reason === undefined) {
      // Which kernel runs, said once as a fallback is: what a user looking at the debug log wants to know first.
      // A message built only for a listener: a fused kernel is selected at every call.
      debugLogOnce('fused', () => `${backend.name}/${path}: ${kernel.label ?? 'fused kernel'}`);
      return kernel;
    }
    reasons.push(reason);
  }
  const reason =
    kernels.length === 0 ? `backend ${backend.name} has no fused kernel for ${what}` : reasons.join('; ');
  if (policy === 'require') throw new SeqmodelError(`fused kernel required but unavailable: ${reason}`);
  if (policy === 'auto') {
    const fallback = `${path}: ${kind === 'sequence' ? 'generic loop' : 'generic path'}`;
    debugLogOnce('fused', `${backend.name}/${fallback} (${reason})`);
  }
  return undefined;
}
