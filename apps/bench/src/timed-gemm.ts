/**
 * Time spent in matrix products: `wrap` gives a `GemmProvider` that passes every call to another and adds the time it
 * took to `ms`. `bench paths` wraps the products of a second compiled-path backend (cpu and wasm; a backend may make
 * several compiled kernels, all counted here) to measure how much of a compiled training step is matrix products,
 * which the generic loop also computes (with the backend's own matrix product). Apart from the timed paths, so its
 * clock calls do not slow them.
 */
import type { GemmProvider, HostMatrix, PreparedMatrix, ResidentMatrix } from '@seqmodel/backend-tfjs';

export class ProductTimer {
  /** Milliseconds spent in wrapped providers so far: a clock that runs only during products. */
  ms = 0;

  constructor(readonly now: () => number = () => performance.now()) {}

  wrap(gemm: GemmProvider): GemmProvider {
    return new TimedGemm(gemm, this);
  }
}

class TimedGemm implements GemmProvider {
  readonly name: string;

  constructor(
    private readonly inner: GemmProvider,
    private readonly timer: ProductTimer,
  ) {
    this.name = inner.name;
  }

  private timed<T>(call: () => T): T {
    const start = this.timer.now();
    try {
      return call();
    } finally {
      this.timer.ms += this.timer.now() - start;
    }
  }

  prepare(b: HostMatrix, transpose: boolean): PreparedMatrix {
    return this.timed(() => this.inner.prepare(b, transpose));
  }

  multiplyPrepared(a: HostMatrix, b: PreparedMatrix, c: HostMatrix, accumulate: boolean): void {
    this.timed(() => this.inner.multiplyPrepared(a, b, c, accumulate));
  }

  multiply(
    a: HostMatrix,
    transposeA: boolean,
    b: HostMatrix,
    transposeB: boolean,
    c: HostMatrix,
    accumulate: boolean,
  ): void {
    this.timed(() => this.inner.multiply(a, transposeA, b, transposeB, c, accumulate));
  }

  release(b: PreparedMatrix): void {
    this.timed(() => this.inner.release(b));
  }

  multiplyResident(a: HostMatrix, transposeA: boolean, b: HostMatrix, transposeB: boolean): ResidentMatrix {
    return this.timed(() => this.inner.multiplyResident(a, transposeA, b, transposeB));
  }
}
