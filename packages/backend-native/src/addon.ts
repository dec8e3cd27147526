/**
 * Loading the native addon (`build/Release/seqmodel_native.node`, built by `scripts/build-addon.mjs` at install),
 * and what it offers. When it cannot load, `isAvailable()` says why in one line (no compiler at install, a failed
 * compilation, a Node with another ABI), read from the build's status file where there is one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A tensor buffer in native memory (an opaque handle; freed by `free`, or by the garbage collector if leaked). */
export type NativeBuffer = { readonly __nativeBuffer: unique symbol };

/** dtype codes of the addon. */
export const dtypeCodes = { float32: 0, int32: 1, bool: 2 } as const;
export type NativeDType = keyof typeof dtypeCodes;

/** The addon's functions (see addon/addon.cc for each one's arguments; it checks them all again). */
export interface NativeAddon {
  alloc(bytes: number): NativeBuffer;
  free(buffer: NativeBuffer): void;
  write(buffer: NativeBuffer, values: ArrayBufferView, byteOffset: number): void;
  read(buffer: NativeBuffer, values: ArrayBufferView, byteOffset: number): void;
  bytes(buffer: NativeBuffer): number;
  stats(): [buffers: number, bytes: number];
  setThreads(threads: number): number;
  info(): [threads: number, hardwareThreads: number, avx2Fma: boolean, avx512f: boolean, gemmKernel: string];
  setPortable(portable: boolean): void;
  unary(op: number, dtype: number, x: NativeBuffer, y: NativeBuffer, n: number, a: number, b: number): void;
  binary(
    op: number,
    dtype: number,
    a: NativeBuffer,
    b: NativeBuffer,
    out: NativeBuffer,
    shape: readonly number[],
    aStrides: readonly number[],
    bStrides: readonly number[],
  ): void;
  select(
    dtype: number,
    condition: NativeBuffer,
    a: NativeBuffer,
    b: NativeBuffer,
    out: NativeBuffer,
    shape: readonly number[],
    cStrides: readonly number[],
    aStrides: readonly number[],
    bStrides: readonly number[],
  ): void;
  cast(from: number, to: number, x: NativeBuffer, y: NativeBuffer, n: number): void;
  fill(dtype: number, y: NativeBuffer, n: number, value: number): void;
  copy(
    elementBytes: number,
    input: NativeBuffer,
    output: NativeBuffer,
    inOffset: number,
    outOffset: number,
    shape: readonly number[],
    inStrides: readonly number[],
    outStrides: readonly number[],
  ): void;
  gather(
    elementBytes: number,
    x: NativeBuffer,
    indices: NativeBuffer,
    out: NativeBuffer,
    outer: number,
    axisSize: number,
    inner: number,
    count: number,
  ): void;
  oneHot(
    dtype: number,
    indices: NativeBuffer,
    out: NativeBuffer,
    n: number,
    depth: number,
    on: number,
    off: number,
  ): void;
  segmentSum(
    dtype: number,
    x: NativeBuffer,
    ids: NativeBuffer,
    out: NativeBuffer,
    rows: number,
    inner: number,
    segments: number,
  ): void;
  reduce(op: number, dtype: number, x: NativeBuffer, out: NativeBuffer, rows: number, cols: number): void;
  argExtreme(
    dtype: number,
    x: NativeBuffer,
    out: NativeBuffer,
    rows: number,
    cols: number,
    minimum: boolean,
  ): void;
  softmax(x: NativeBuffer, out: NativeBuffer, rows: number, cols: number, logarithm: boolean): void;
  matMul(
    a: NativeBuffer,
    b: NativeBuffer,
    c: NativeBuffer,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aBatchStride: number,
    bBatchStride: number,
    accumulate: boolean,
  ): void;
  sequenceForward(
    config: readonly number[],
    flags: readonly number[],
    ...buffers: (NativeBuffer | null | (NativeBuffer | null)[])[]
  ): void;
  sequenceBackward(
    config: readonly number[],
    flags: readonly number[],
    ...buffers: (NativeBuffer | null | (NativeBuffer | null)[])[]
  ): void;
  sequenceGradients(
    config: readonly number[],
    which: readonly number[],
    ...buffers: (NativeBuffer | null)[]
  ): void;
  /** Waits for queued work (an addon whose kernels run asynchronously, on a device, has it). */
  synchronize?(): void;
  /**
   * Products on JavaScript arrays (the host addon only; see `NativeGemm`): `c (+)= op(a)·op(b)`, each matrix given
   * as its array, offset, leading dimension (and whether it is transposed).
   */
  hostGemm?(
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    aOffset: number,
    lda: number,
    transposeA: boolean,
    b: Float32Array,
    bOffset: number,
    ldb: number,
    transposeB: boolean,
    c: Float32Array,
    cOffset: number,
    ldc: number,
    accumulate: boolean,
  ): void;
  /** `op(b)` `[k, n]` packed once for many `hostGemmPacked` calls. */
  hostPack?(
    k: number,
    n: number,
    b: Float32Array,
    offset: number,
    ld: number,
    transposed: boolean,
  ): NativePacked;
  /** `c (+)= a·packed`, `a` `[m, k]`. */
  hostGemmPacked?(
    m: number,
    a: Float32Array,
    aOffset: number,
    lda: number,
    packed: NativePacked,
    c: Float32Array,
    cOffset: number,
    ldc: number,
    accumulate: boolean,
  ): void;
  /** Frees a packed operand now (else the garbage collector does). */
  hostRelease?(packed: NativePacked): void;
}

/** A right-hand operand packed by the addon (an opaque handle). */
export type NativePacked = { readonly __nativePacked: unique symbol };

export interface Availability {
  readonly available: boolean;
  /** Why the addon is not available (one line), when it is not. */
  readonly reason?: string;
}

export interface AddonLoad<A> {
  addon?: A;
  reason?: string;
}

/**
 * A loader of an addon built by `@seqmodel/native-kernels/build-addon.mjs` in `packageRoot`
 * (`build/Release/<addonName>.node`), loading once and saying why not (the build's status file's reason, or the load
 * error) in one line. Shared with `@seqmodel/backend-cuda`.
 */
export function addonLoader<A>(options: {
  packageRoot: string;
  addonName: string;
  packageName: string;
  what: string;
  /** Where `createRequire` resolves from (an `import.meta.url` of the package). */
  from: string;
}): () => AddonLoad<A> {
  const addonPath = join(options.packageRoot, 'build', 'Release', `${options.addonName}.node`);
  const statusPath = join(options.packageRoot, 'build', 'seqmodel-addon.json');
  let loaded: AddonLoad<A> | undefined;
  const buildReason = (): string | undefined => {
    try {
      const status = JSON.parse(readFileSync(statusPath, 'utf8')) as { built?: boolean; reason?: string };
      return status.built === false && typeof status.reason === 'string' ? status.reason : undefined;
    } catch {
      return undefined;
    }
  };
  return () => {
    if (loaded) return loaded;
    if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') {
      loaded = { reason: `the ${options.what} runs in Node only` };
      return loaded;
    }
    try {
      loaded = { addon: createRequire(options.from)(addonPath) as A };
    } catch (error) {
      const why = buildReason();
      const message = (error as Error).message.split('\n')[0];
      loaded = {
        reason: why
          ? `the ${options.what} was not built: ${why}`
          : `the ${options.what} did not load from ${addonPath} (${message}); build it with "npm run build:addon" in ${options.packageName}`,
      };
    }
    return loaded;
  };
}

const load = addonLoader<NativeAddon>({
  packageRoot: join(dirname(fileURLToPath(import.meta.url)), '..'),
  addonName: 'seqmodel_native',
  packageName: '@seqmodel/backend-native',
  what: 'native addon',
  from: import.meta.url,
});

/** Whether the native addon loads here, and if not, why (without throwing). */
export function isAvailable(): Availability {
  const { addon, reason } = load();
  return addon ? { available: true } : { available: false, reason: reason ?? 'unknown' };
}

/** The addon; throws the reason it is unavailable. */
export function nativeAddon(): NativeAddon {
  const { addon, reason } = load();
  if (!addon) throw new Error(`@seqmodel/backend-native: ${reason}`);
  return addon;
}
