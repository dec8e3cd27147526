import { factoryKernelChecks } from '@seqmodel/backend-tfjs/testing';
import { describe, expect, it } from 'vitest';
import { isAvailable } from './addon.js';
import { createNativeBackend, nativeInfo } from './native-backend.js';
import { nativeKernelNames } from './register-kernels.js';

const availability = isAvailable();

describe.skipIf(!availability.available)(
  `native backend factory${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  () => {
    for (const check of factoryKernelChecks(
      'createNativeBackend',
      (options) => createNativeBackend(options),
      // Its own C++ kernels for the built-in cells; plugin cells run the generic loop.
      { named: ['simpleRNN', 'lstm', 'gru'], compiled: false },
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

    it('takes a thread count and checks it', async () => {
      await createNativeBackend({ threads: 3 });
      expect(nativeInfo().threads).toBe(3);
      await expect(createNativeBackend({ threads: 0 })).rejects.toThrow(
        /createNativeBackend\(options.threads\)/,
      );
      await createNativeBackend({ threads: 1 });
      expect(nativeInfo().threads).toBe(1);
    });
  },
);
