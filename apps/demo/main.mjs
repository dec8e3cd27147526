// `npx -y pnpm@12.21.0 demo`: prints what src/demo.mjs computes.
import { runDemo, sizes } from './src/demo.mjs';

const { cells, rows, liveTensors } = runDemo();
const { batch, time, inputSize, units } = sizes;
console.log(`registered cells: ${cells.join(', ')}`);
console.log(
  `inputSize ${inputSize}, units ${units}; a random sequence of shape [${batch}, ${time}, ${inputSize}]\n`,
);
for (const { label, formula, finalH } of rows) {
  const preview = finalH[0]
    .slice(0, 4)
    .map((v) => v.toFixed(4).padStart(7))
    .join(' ');
  console.log(`${label.padEnd(28)} params ${formula}`);
  console.log(`${''.padEnd(28)} final h[0][0..3] = ${preview}`);
}
console.log(`\nlive tensors after the demo: ${liveTensors}`);
