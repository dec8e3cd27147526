/**
 * The cell compiler: traces a cell's `step` with symbolic ops, lowers it to the plan the fused kernels follow
 * (one product for the input projection of all steps; per step the recurrent products and fused elementwise
 * passes; backward through time with the elementwise part differentiated symbolically), and hands the passes to a
 * backend's code generator. See `contributing/adding-a-cell.md` for what it expects of a step.
 */
export { type CompileOptions, type CompileResult, type CompileSizes, compileCell } from './compile.js';
export { type ExplainOptions, explainCompiledCell, formatPlan } from './explain.js';
export { type GeneratedCode, type PassGenerator, planPasses } from './generator.js';
export { interpretLoop, type LoopEnvironment } from './interpret.js';
export {
  type BackwardPlan,
  CompileDecline,
  type InputProduct,
  type PlanState,
  type PlanStatic,
  type ProductGradient,
  type ProductStage,
  planSequence,
  type SequencePlan,
  type Stage,
  type StaticGradient,
  type StaticLayout,
  type StaticView,
  staticOnes,
  staticView,
} from './plan.js';
export {
  type BinaryOp,
  type BufferRows,
  binaryOps,
  bufferLength,
  type ElementwiseLoop,
  type ElementwisePass,
  formatPass,
  type LoopNode,
  type LoopStore,
  type PlanBuffer,
  rowOffset,
  type UnaryOp,
  unaryOps,
} from './program.js';
export {
  type CellTrace,
  formatTrace,
  replayStatic,
  TraceError,
  type TraceLeaf,
  TraceNode,
  traceCell,
} from './trace.js';
export { nodeClosure, operandsOf } from './values.js';
