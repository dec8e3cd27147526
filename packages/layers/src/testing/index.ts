/**
 * `@seqmodel/layers/testing`: the layer conformance kit that layer authors run in their own test suites (built-in
 * layers, attention layers, custom layers registered with `registerLayer`).
 */

export { backendLayerCases, backendLayerChecks } from './backend-layer-checks.js';
export type {
  HostTensor,
  LayerCheckKey,
  LayerConformanceCase,
  LayerTestInput,
  MaskContract,
  OutputMaskRule,
} from './layer-case.js';
export {
  assertLayerConformance,
  type LayerConformanceCheck,
  type LayerConformanceOptions,
  layerConformanceChecks,
} from './layer-conformance.js';
export {
  checkTorchFixture,
  parseTorchFixture,
  type TorchFixture,
  type TorchFixtureCheck,
} from './torch-fixtures.js';
