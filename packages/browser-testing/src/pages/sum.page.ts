/** The README's example page: a sum computed by seqmodel's cpu backend inside the browser, offered to Node. */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { expose, pageReady } from '../in-page.js';

const backend = createCpuBackend();
expose('sum', (values: number[]) => {
  const x = backend.tensor(Float32Array.from(values), [values.length]);
  const total = backend.sum(x);
  const result = backend.dataSync(total)[0];
  backend.dispose([x, total]);
  return result;
});
pageReady(Promise.resolve());
