/**
 * `@seqmodel/backend-wasm/encoder`: the WebAssembly binary encoder (`wasm-encoder.ts`) and the SIMD activations
 * written with it (`simd-math.ts`), for packages that compile kernels of their own at run time (the attention
 * package's flash attention). No tfjs and no side effects: importing it does not register the wasm backend.
 */

export { exp, log, sigmoid, tanh } from './simd-math.js';
export * from './wasm-encoder.js';
