/**
 * `@seqmodel/backend-tfjs/fused`: what a backend needs to run fused recurrent kernels compiled from any cell's step,
 * without a tensor library (nothing here imports tfjs): the runtime of core's compiled plans on host memory
 * (`CompiledRun`: the time loop, masks, `goBackwards`, backpropagation through time on `Float32Array`s), the host
 * code generator interface with the JavaScript generator, the gate activations, and the matrix product interface
 * (`GemmProvider`) with a JavaScript implementation. A tfjs backend gets its kernel from `compiledSequenceKernel`
 * (the package's main entry); a backend on another tensor library reads its tensors into arrays and drives
 * `CompiledRun` itself.
 */
export { gateExp, gateSigmoid, gateTanh } from './activations.js';
export { CompiledRun, type CompiledRunConfig, type CompiledRunInputs } from './compiled/compiled-run.js';
export {
  checkLoopColumns,
  functionConstructorRefusal,
  type HostInstance,
  type HostPassGenerator,
  type HostProgram,
  InstancePool,
} from './compiled/host-program.js';
export { javascriptGenerator } from './compiled/javascript-generator.js';
// All of gemm.ts: the matrix-product provider interface and the helpers every provider uses.
export * from './gemm.js';
export { JsGemm } from './js-gemm.js';
