// Quick start for @seqmodel/datasets: run `node examples/quick-start.mjs` after building the package
// (`npx -y pnpm@12.21.0 build` at the repository root).
import { createReferenceBackend } from '@seqmodel/core';
import {
  addingProblem,
  batches,
  CharTokenizer,
  fitStandardScaler,
  loadMobyDick,
  loadUsBirths,
  nextTokenWindows,
  slidingWindows,
  tableColumn,
  timeSplit,
  toTensors,
} from '@seqmodel/datasets';

// 1. A synthetic task with its documented shapes and trivial baseline.
const task = addingProblem({ numSamples: 1000, length: 50, seed: 42 });
console.log(task.info.name, task.inputs.shape, '->', task.targets.shape);
console.log('baseline:', task.info.baselines[0].strategy, 'MSE', task.info.baselines[0].value.toFixed(3));

// 2. A real series: split in time order, scale with training statistics only, cut into windows.
const births = await loadUsBirths();
const { train, test } = timeSplit(tableColumn(births, 'births'), { train: 0.8 });
const scaler = fitStandardScaler(train);
const windows = slidingWindows(scaler.transform(train), { inputLength: 28, horizon: 7 });
console.log('births windows', windows.inputs.shape, windows.targets.shape, 'test days', test.length);

// 3. Text: a character tokenizer and next-character windows.
const text = await loadMobyDick();
const tokenizer = CharTokenizer.fit(text);
const corpus = nextTokenWindows(tokenizer.encode(text), { sequenceLength: 100 });
console.log('vocabulary', tokenizer.vocabularySize, 'windows', corpus.inputs.shape);

// 4. Shuffled batches, turned into tensors of any Backend (here the float64 reference backend).
const backend = createReferenceBackend();
for (const batch of batches(task, { batchSize: 32, shuffle: true, seed: 1 })) {
  const tensors = toTensors(backend, batch);
  console.log('first batch', backend.shape(tensors.inputs), backend.shape(tensors.targets));
  backend.dispose([tensors.inputs, tensors.targets]);
  break;
}
console.log('tensors left:', backend.memory().numTensors);
