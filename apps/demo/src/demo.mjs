// Runs each registered cell (the built-ins plus the MGU plugin, registered explicitly) on the float64 reference
// ops: its parameter count as a formula and the final hidden state of a short random sequence. `main.mjs` prints
// what `runDemo` returns; `demo.test.ts` checks it.
import { mgu } from '@seqmodel/cell-mgu';
import {
  createReferenceBackend,
  createRng,
  explainParamCount,
  getCell,
  initParamTensors,
  listCells,
  registerCell,
  runSequence,
} from '@seqmodel/core';

export const variants = [
  ['simpleRNN', {}],
  ['lstm', {}],
  ['gru', { resetAfter: true }],
  ['gru', { resetAfter: false }],
  ['mgu', {}],
];
export const sizes = { inputSize: 45, units: 64, batch: 2, time: 5 };
/** Seeds of the inputs and of every cell's weights. */
export const seeds = { inputs: 42, params: 7 };

/** The demo's inputs, `[batch, time, inputSize]` float32 values from a seeded normal. */
export function demoInputs() {
  const { batch, time, inputSize } = sizes;
  const rng = createRng(seeds.inputs);
  return Float32Array.from({ length: batch * time * inputSize }, () => rng.normal());
}

/**
 * Every variant on a fresh reference backend: `{ label, name, options, formula, total, finalH }` (`finalH` the last
 * hidden state, `[batch, units]`), the registered cells, and the tensors left on the backend (0 unless it leaks).
 */
export function runDemo() {
  if (!listCells().includes('mgu')) registerCell(mgu);
  const { batch, time, inputSize, units } = sizes;
  const backend = createReferenceBackend();
  const inputs = backend.tensor(demoInputs(), [batch, time, inputSize]);
  const rows = variants.map(([name, options]) => {
    const config = { inputSize, units, ...options };
    const { formula, total } = explainParamCount(name, config);
    const finalH = backend.tidy(() => {
      const params = initParamTensors(backend, name, config, seeds.params);
      const { state } = runSequence(backend, { cell: getCell(name), options, units, inputs, params });
      return backend.toArray(state[0]);
    });
    const label = `${name}${Object.keys(options).length ? ` ${JSON.stringify(options)}` : ''}`;
    return { label, name, options, formula, total, finalH };
  });
  backend.dispose(inputs);
  return { cells: listCells(), rows, liveTensors: backend.memory().numTensors };
}
