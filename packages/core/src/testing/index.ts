/**
 * `@seqmodel/core/testing`: the conformance kits that cell plugins and backends run in their own test suites, and
 * the tolerance-based comparison they use.
 */
export { type BackendConformanceOptions, backendConformanceChecks } from './backend-conformance.js';
export {
  assertCellConformance,
  assertChecksPass,
  type CellConformanceConfig,
  type CellConformanceOptions,
  type CellKitVariant,
  type ConformanceCheck,
  cellConformanceChecks,
  cellKitVariants,
} from './cell-conformance.js';
export { assertClose, type Comparison, compareArrays, type Tolerance } from './compare.js';
export { checkNoLeak } from './leaks.js';
export { launchAndRead, readAll } from './read-all.js';
export {
  type ClassifyOptions,
  classifyCase,
  isClearMessage,
  ROBUSTNESS_OUTCOMES,
  type RobustnessCase,
  type RobustnessOutcome,
  type RobustnessResult,
  type RobustnessSuiteOptions,
  robustnessChecks,
  robustnessTotals,
  tallyOutcomes,
} from './robustness.js';
