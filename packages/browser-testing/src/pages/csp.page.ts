/**
 * A page for the content-security-policy test: an LSTM run, as the page loads, through `runSequence` on seqmodel's cpu
 * backend, whose
 * compiled kernel is generated JavaScript (`new Function`). Reports which kernel ran (the debug log's lines) and the
 * output beside the generic loop's, so the Node side can tell a page that forbids generated code from one that
 * allows it.
 */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import {
  initParamTensors,
  resolveCellDims,
  runSequence,
  type SequenceArgs,
  scanCell,
  selectKernel,
  setDebugLogger,
} from '@seqmodel/core';
import { expose, pageReady } from '../in-page.js';

const said: string[] = [];
setDebugLogger((topic, message) => said.push(`${topic}: ${message}`));
const backend = createCpuBackend();

/**
 * The run, made as the page loads: code run from the Node side (page.evaluate) is exempt from the policy (a first
 * version of this test ran the compiled kernel there).
 */
function runLstm() {
  const { cell, dims } = resolveCellDims('lstm', { inputSize: 3, units: 4 });
  const inputs = backend.tensor(
    Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i)),
    [2, 5, 3],
  );
  const args: SequenceArgs<unknown> = {
    cell,
    options: dims.options,
    units: 4,
    inputs,
    params: initParamTensors(backend, cell, { inputSize: 3, units: 4 }, 7),
    returnSequences: true,
  } as SequenceArgs<unknown>;
  const kernel = selectKernel(backend, 'sequence', cell.name, args);
  const ran = runSequence(backend, args as never);
  const generic = scanCell(backend, args as never);
  const result = {
    kernel: kernel === undefined ? null : (kernel.label ?? 'fused'),
    said: [...said],
    output: Array.from(backend.dataSync(ran.output as never)),
    generic: Array.from(backend.dataSync(generic.output as never)),
  };
  backend.dispose([
    inputs,
    ran.output,
    ...ran.state,
    generic.output,
    ...generic.state,
    ...Object.values(args.params),
  ] as never);
  return result;
}

const result = runLstm();
expose('lstm', () => result);
pageReady(Promise.resolve());
