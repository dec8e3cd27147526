/**
 * What runs without a GPU: the addon builds here when nvcc is present (the install compiled it), loads without a
 * driver, checks its arguments before touching the device, and `isAvailable()` / `createCudaBackend()` say in one
 * line what is missing. The kernel table is backend-native's, registered for `seqmodel-cuda`.
 */
import {
  isAvailable as nativeAvailable,
  nativeKernelNames,
  registerAddonBackend,
} from '@seqmodel/backend-native';
import { SeqmodelError } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { type CudaAddon, cudaDevice, isAvailable, loadCudaAddon } from './addon.js';
import { createCudaBackend, cudaKernelNames, cudaTfjsBackendName } from './cuda-backend.js';

const availability = isAvailable();
const { addon, reason: loadReason } = loadCudaAddon();

describe('availability', () => {
  it('isAvailable answers without throwing, with a one-line reason when the backend cannot run', () => {
    expect(typeof availability.available).toBe('boolean');
    if (!availability.available) {
      expect(availability.reason).toMatch(/\S/);
      expect(availability.reason).not.toContain('\n');
    }
  });

  it.skipIf(availability.available)(
    'createCudaBackend rejects with that reason when no device is usable',
    async () => {
      await expect(createCudaBackend()).rejects.toThrow(SeqmodelError);
      await expect(createCudaBackend()).rejects.toThrow(availability.reason!);
    },
  );

  it("cudaDevice names each item of the addon's device() tuple, in the addon's order", () => {
    const tuple = [
      'usable',
      'reason',
      'devices',
      'name',
      'major',
      'minor',
      'cublas',
      'cudnn',
      'notes',
      'nvrtc',
      'why',
    ];
    const fake = { device: () => tuple } as unknown as CudaAddon;
    expect(cudaDevice(fake)).toEqual({
      usable: 'usable',
      reason: 'reason',
      devices: 'devices',
      name: 'name',
      computeMajor: 'major',
      computeMinor: 'minor',
      cublas: 'cublas',
      cudnn: 'cudnn',
      notes: 'notes',
      nvrtc: 'nvrtc',
      nvrtcReason: 'why',
    });
  });

  it('createCudaBackend names a bad options argument', async () => {
    await expect(createCudaBackend(3 as never)).rejects.toThrow(/createCudaBackend\(options\)/);
  });
});

describe.skipIf(!addon)(
  `the CUDA addon without a GPU${loadReason ? ` (skipped: ${loadReason})` : ''}`,
  () => {
    it('reports the device, cuBLAS and cuDNN it found', () => {
      const { usable, reason, devices, cublas, cudnn, notes } = cudaDevice(addon!);
      expect(usable).toBe(availability.available);
      if (!usable) {
        expect(reason).toBe(availability.reason);
        // No driver or no device: nothing counted. A GPU that is there but unusable (no code for it in this build,
        // or no context) is counted and named.
        if (/has no code for this GPU|CUDA context could not be created/.test(reason)) {
          expect(devices).toBeGreaterThan(0);
        } else {
          expect(reason).toMatch(/NVIDIA driver|cudaGetDeviceCount|no CUDA device/);
          expect(devices).toBe(0);
        }
      }
      expect(typeof cublas).toBe('string');
      expect(typeof cudnn).toBe('string');
      expect(notes).toMatch(
        cublas ? /cuBLAS runs|ownKernelsOnly; cuBLAS loaded/ : /cuBLAS not found: the tiled kernel/,
      );
    });

    it('checks arguments before they reach CUDA', () => {
      expect(() => addon!.alloc(-1)).toThrow(/alloc: argument 0: expected an integer/);
      expect(() => addon!.free({} as never)).toThrow(/free: argument 0: expected a native buffer/);
      expect(() => addon!.unary(0, 0, null as never, null as never, 1, 0, 0)).toThrow(/unary/);
      expect(() => addon!.sequenceForward([9, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0])).toThrow(
        /expected 14 arguments/,
      );
    });

    it.skipIf(availability.available)('allocating without a device throws the reason, not a crash', () => {
      expect(() => addon!.alloc(64)).toThrow(availability.reason!);
    });

    it('registers backend-native kernel table for seqmodel-cuda', () => {
      const names = cudaKernelNames();
      expect(names.length).toBeGreaterThan(50);
      for (const name of [
        'BatchMatMul',
        'Softmax',
        'GatherV2',
        'UnsortedSegmentSum',
        'Transpose',
        'Select',
      ]) {
        expect(names).toContain(name);
      }
      if (nativeAvailable().available) {
        registerAddonBackend('seqmodel-native-table-check', addon!, 'check');
        expect(names).toEqual(nativeKernelNames('seqmodel-native-table-check'));
      }
      expect(cudaTfjsBackendName).toBe('seqmodel-cuda');
    });
  },
);
