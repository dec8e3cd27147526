/**
 * Time spent in matrix products: `wrap` gives a `GemmProvider` that passes every call to another and adds the time it
 * took to `ms`. `bench paths` wraps the products of a second compiled-path backend (cpu and wasm; a backend may make
 * several compiled kernels, all counted here) to measure how much of a compiled training step is matrix products,
 * which the generic loop also computes (with the backend's own matrix product). Apart from the timed paths, so its
 * clock calls do not slow them.
 */
import { type GemmProvider, interceptGemm } from '@seqmodel/backend-tfjs';

export class ProductTimer {
  /** Milliseconds spent in wrapped providers so far: a clock that runs only during products. */
  ms = 0;

  constructor(readonly now: () => number = () => performance.now()) {}

  wrap(gemm: GemmProvider): GemmProvider {
    return interceptGemm(gemm, (_method, call) => {
      const start = this.now();
      try {
        return call();
      } finally {
        this.ms += this.now() - start;
      }
    });
  }
}
