import {
  compiledCellChecks,
  compiledEdgeValueChecks,
  factoryKernelChecks,
  minimalGatedUnit,
  randomCellChecks,
  randomCellRun,
} from '@seqmodel/backend-tfjs/testing';
import { initParamTensors, runSequence, selectKernel } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { isAvailable } from './addon.js';
import { createNativeBackend, nativeInfo } from './native-backend.js';
import { nativeKernelNames } from './register-kernels.js';

const availability = isAvailable();
// A plugin cell's compiled kernel, checked like the cpu and wasm backends' (the kits need the backend up front).
const compiledOn = availability.available ? await createNativeBackend() : undefined;

describe.skipIf(!availability.available)(
  `native backend factory${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  () => {
    for (const check of factoryKernelChecks(
      'createNativeBackend',
      (options) => createNativeBackend(options),
      // Its own C++ kernels for the built-in cells; plugin cells run the compiled kernel (under '*').
      { named: ['simpleRNN', 'lstm', 'gru'], compiled: true },
    )) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }

    it('registers every tfjs kernel that seqmodel ops, layers and their gradients use', async () => {
      await createNativeBackend();
      // Found by running the kits and the layers' tests with every kernel call logged (see the README).
      const used = [
        'Abs',
        'Add',
        'Any',
        'ArgMax',
        'BatchMatMul',
        'Cast',
        'ClipByValue',
        'Concat',
        'Equal',
        'Exp',
        'ExpandDims',
        'Fill',
        'GatherV2',
        'Greater',
        'GreaterEqual',
        'Identity',
        'LessEqual',
        'Log',
        'LogicalAnd',
        'LogicalNot',
        'Max',
        'Maximum',
        'Minimum',
        'Multiply',
        'Neg',
        'NotEqual',
        'OneHot',
        'OnesLike',
        'Pack',
        'RealDiv',
        'Relu',
        'Reshape',
        'Reverse',
        'Select',
        'Selu',
        'Sigmoid',
        'Slice',
        'Softmax',
        'Softplus',
        'SplitV',
        'Sqrt',
        'Square',
        'Step',
        'Sub',
        'Sum',
        'Tanh',
        'Tile',
        'Transpose',
        'Unpack',
        'UnsortedSegmentSum',
        'ZerosLike',
        '_FusedMatMul',
      ];
      expect(used.filter((k) => !nativeKernelNames().includes(k))).toEqual([]);
    });

    it('runs a plugin cell on the compiled kernel, not the generic loop', async () => {
      const b = await createNativeBackend();
      const args = {
        cell: minimalGatedUnit,
        units: 5,
        inputs: b.fill([2, 3, 4], 0.5),
        params: initParamTensors(b, minimalGatedUnit, { inputSize: 4, units: 5 }, 7),
      };
      const before = b.memory().numTensors;
      expect(selectKernel(b, 'sequence', minimalGatedUnit.name, args)?.label).toBe('compiled (javascript)');
      // 'require' fails where only the generic loop would run.
      const { output, state } = runSequence(b, args, 'require');
      expect(output.shape).toEqual([2, 5]);
      b.dispose([output, ...state]);
      expect(b.memory().numTensors).toBe(before);
      b.dispose([args.inputs, ...Object.values(args.params)]);
    });

    it('takes a thread count and checks it', async () => {
      await createNativeBackend({ threads: 3 });
      expect(nativeInfo().threads).toBe(3);
      await expect(createNativeBackend({ threads: 0 })).rejects.toThrow(
        /createNativeBackend\(options.threads\)/,
      );
      await createNativeBackend({ threads: 1 });
      expect(nativeInfo().threads).toBe(1);
    });

    describe('the compiled kernel on native tensors', () => {
      const configs = [{ inputSize: 3, units: 4 }];
      if (!compiledOn) return;
      for (const check of compiledCellChecks(minimalGatedUnit, compiledOn, { configs })) {
        it.skipIf(check.skip !== undefined)(check.name, check.run);
      }
      for (const check of compiledEdgeValueChecks(compiledOn)) it(check.name, check.run);
      for (const check of randomCellChecks(compiledOn, randomCellRun({ seeds: 40 }))) {
        it.skipIf(check.skip !== undefined)(check.name, check.run);
      }
    });
  },
);
