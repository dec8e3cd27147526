/**
 * The cell configurations every tfjs-based backend is checked with: each built-in cell with default options, plus
 * the options that change its arithmetic (hard-sigmoid gates, no bias, another activation, both GRU variants).
 */
import type { CellConformanceConfig } from '@seqmodel/core/testing';

export const builtInCellConfigs: Readonly<Record<string, readonly CellConformanceConfig[]>> = {
  simpleRNN: [
    { inputSize: 3, units: 4 },
    { inputSize: 3, units: 4, options: { useBias: false, activation: 'relu' } },
  ],
  lstm: [
    { inputSize: 3, units: 4 },
    { inputSize: 3, units: 4, options: { recurrentActivation: 'hardSigmoid' } },
    { inputSize: 2, units: 3, options: { useBias: false } },
  ],
  gru: [
    { inputSize: 3, units: 4, options: { resetAfter: true } },
    { inputSize: 3, units: 4, options: { resetAfter: false } },
    { inputSize: 3, units: 4, options: { resetAfter: false, recurrentActivation: 'hardSigmoid' } },
    { inputSize: 2, units: 3, options: { resetAfter: true, useBias: false } },
  ],
};
