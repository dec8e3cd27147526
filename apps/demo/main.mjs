// Runs each registered cell (the built-ins plus the MGU plugin, registered explicitly) on the float64 reference
// ops: prints its parameter count as a formula and the final hidden state of a short random sequence.
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

registerCell(mgu);

const backend = createReferenceBackend();
const variants = [
  ['simpleRNN', {}],
  ['lstm', {}],
  ['gru', { resetAfter: true }],
  ['gru', { resetAfter: false }],
  ['mgu', {}],
];
const inputSize = 45;
const units = 64;
const [batch, time] = [2, 5];
const rng = createRng(42);
const inputs = backend.tensor(
  Float32Array.from({ length: batch * time * inputSize }, () => rng.normal()),
  [batch, time, inputSize],
);

console.log(`registered cells: ${listCells().join(', ')}`);
console.log(
  `inputSize ${inputSize}, units ${units}; a random sequence of shape [${batch}, ${time}, ${inputSize}]\n`,
);
for (const [name, options] of variants) {
  const config = { inputSize, units, ...options };
  const label = `${name}${Object.keys(options).length ? ` ${JSON.stringify(options)}` : ''}`;
  const { formula } = explainParamCount(name, config);
  const h = backend.tidy(() => {
    const params = initParamTensors(backend, name, config, 7);
    const { state } = runSequence(backend, {
      cell: getCell(name),
      options,
      units,
      inputs,
      params,
    });
    return backend.toArray(state[0]);
  });
  const preview = h[0]
    .slice(0, 4)
    .map((v) => v.toFixed(4).padStart(7))
    .join(' ');
  console.log(`${label.padEnd(28)} params ${formula}`);
  console.log(`${''.padEnd(28)} final h[0][0..3] = ${preview}`);
}
backend.dispose(inputs);
console.log(`\nlive tensors after the demo: ${backend.memory().numTensors}`);
