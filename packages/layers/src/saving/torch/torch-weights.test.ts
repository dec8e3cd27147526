/**
 * The formats and the loader's checks: safetensors written and read back (and refused when damaged, with the file
 * and key named), `torch.save` zip files read (strided views, float16, bfloat16, int64) or refused (a whole module),
 * a missing, extra or mis-shaped key reported once with all of them, and models saved and loaded back unchanged.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createReferenceBackend } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import type { Layer } from '../../engine/layer.js';
import { gru, lstm, simpleRNN } from '../../layers/rnn.js';
import { timeDistributed } from '../../layers/time-distributed.js';
import { sequential } from '../../models/sequential.js';
import { tf } from '../../test-helpers.js';
import { loadTorchWeights, readTorchWeights, saveTorchWeights, torchStateDict } from './load-save.js';
import { torchGRU, torchLinear, torchLSTM } from './modules.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { readTorchZip } from './torch-zip.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixtureBytes = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

/** A safetensors file with `header` as its JSON and `data` bytes after it. */
function rawSafetensors(header: unknown, data: number[] | Uint8Array = []): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

describe('safetensors', () => {
  it('writes and reads back float32 and float64 tensors with metadata, its header padded to 8 bytes', () => {
    const tensors = new Map([
      ['a.weight', { shape: [2, 3], data: [1, 2, 3, 4, 5, 0.1] }],
      ['a.bias', { shape: [], data: [-7] }],
    ]);
    for (const dtype of ['F32', 'F64'] as const) {
      const bytes = writeSafetensors(tensors, { dtype, metadata: { format: 'pt' } });
      const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(headerLength % 8).toBe(0);
      const read = readSafetensors(bytes, 'test.safetensors');
      expect(read.metadata).toEqual({ format: 'pt' });
      expect([...read.tensors.keys()]).toEqual(['a.weight', 'a.bias']);
      const weight = read.tensors.get('a.weight')!;
      expect(weight.dtype).toBe(dtype);
      expect(weight.shape).toEqual([2, 3]);
      expect(weight.data[5]).toBe(dtype === 'F32' ? Math.fround(0.1) : 0.1);
      expect(Array.from(read.tensors.get('a.bias')!.data)).toEqual([-7]);
    }
  });

  it('reads float16 and bfloat16 (subnormals, infinity, the top of the range)', () => {
    // float16: 1.5 = 0x3e00, -2 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001, +inf 0x7c00.
    const half = [0x3e00, 0xc000, 0x7bff, 0x0001, 0x7c00];
    // bfloat16: 1.5 = 0x3fc0, -2 = 0xc000.
    const bf16 = [0x3fc0, 0xc000];
    const data = new Uint8Array(2 * (half.length + bf16.length));
    const view = new DataView(data.buffer);
    for (const [i, bits] of [...half, ...bf16].entries()) view.setUint16(2 * i, bits, true);
    const read = readSafetensors(
      rawSafetensors(
        {
          h: { dtype: 'F16', shape: [5], data_offsets: [0, 10] },
          b: { dtype: 'BF16', shape: [2], data_offsets: [10, 14] },
        },
        data,
      ),
    );
    expect(Array.from(read.tensors.get('h')!.data)).toEqual([
      1.5,
      -2,
      65504,
      2 ** -24,
      Number.POSITIVE_INFINITY,
    ]);
    expect(Array.from(read.tensors.get('b')!.data)).toEqual([1.5, -2]);
  });

  it('refuses damaged files, naming the file, the tensor and what is wrong', () => {
    const f32 = (offsets: number[], shape = [2]) => ({ dtype: 'F32', shape, data_offsets: offsets });
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(4), 'expected at least 8 bytes (the header length), received 4'],
      [rawSafetensors({}).subarray(0, 9), 'the header length 2 runs past the end of the 9 bytes'],
      [rawSafetensors([1]), 'the header is not a JSON object'],
      [
        rawSafetensors({ w: { ...f32([0, 8]), dtype: 'F8' } }, new Uint8Array(8)),
        'tensor "w" has dtype "F8"',
      ],
      [rawSafetensors({ w: f32([0, 8], [-1]) }, new Uint8Array(8)), 'tensor "w" has shape [-1]'],
      [
        rawSafetensors({ w: f32([0, 12]) }, new Uint8Array(8)),
        'tensor "w" has data_offsets [0,12]; expected [begin, end] with 0 <= begin <= end <= 8 (the data size)',
      ],
      [
        rawSafetensors({ w: f32([0, 4]) }, new Uint8Array(4)),
        'tensor "w" (F32 [2]) needs 8 bytes, its data_offsets [0, 4] hold 4',
      ],
      [
        rawSafetensors({ w: f32([0, 8]), v: f32([4, 12]) }, new Uint8Array(12)),
        'tensor "v" overlaps the data of another tensor (data_offsets [4, 12])',
      ],
      [
        rawSafetensors({ w: f32([4, 12]) }, new Uint8Array(12)),
        'bytes 0 to 4 of the data belong to no tensor',
      ],
      [rawSafetensors({ __metadata__: { n: 1 } }), '__metadata__.n must be a string, received 1'],
    ];
    for (const [bytes, message] of cases) {
      expect(() => readSafetensors(bytes, 'bad.safetensors')).toThrow(
        `bad.safetensors: not a valid safetensors file: ${message}`,
      );
    }
  });
});

describe('torch.save zip files', () => {
  it('hold the same state dict as the safetensors fixture', () => {
    for (const name of ['linear', 'gru_bidirectional']) {
      const zip = readTorchZip(fixtureBytes(`${name}.pt`), `${name}.pt`);
      const safetensors = readSafetensors(fixtureBytes(`${name}.safetensors`)).tensors;
      expect([...zip.keys()]).toEqual([...safetensors.keys()]);
      for (const [key, t] of zip) expect(t, key).toEqual(safetensors.get(key));
    }
  });

  it('read strided views of shared storages, float16, bfloat16 and int64 tensors', () => {
    const views = readTorchZip(fixtureBytes('views.pt'));
    const base = Array.from({ length: 12 }, (_, i) => i); // arange(12).reshape(3, 4)
    const transposed = views.get('transposed')!;
    expect(transposed.shape).toEqual([4, 3]);
    expect(Array.from(transposed.data)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(Array.from(views.get('column')!.data)).toEqual([base[1], base[5], base[9]]);
    expect(Array.from(views.get('half')!.data)).toEqual([1.5, -2.25, 65504]);
    const bf16 = views.get('bfloat16')!.data;
    expect([bf16[0], bf16[1]]).toEqual([1.5, -2.25]);
    expect(Math.abs(bf16[2]! / 3e38 - 1)).toBeLessThan(2 ** -7);
    expect(views.get('steps')).toEqual({ dtype: 'I64', shape: [], data: Float64Array.of(7) });
  });

  it('refuse anything but a state dict of tensors, and damaged archives', () => {
    expect(() => readTorchZip(fixtureBytes('module.pt'), 'module.pt')).toThrow(
      'module.pt: cannot read it as a torch.save file of a state dict: data.pkl refers to torch.nn.modules.linear.Linear; only state dicts of tensors are read (save module.state_dict(), not the module)',
    );
    const linear = fixtureBytes('linear.pt');
    expect(() => readTorchZip(linear.subarray(0, linear.length - 30), 'cut.pt')).toThrow(
      'cut.pt: cannot read it as a torch.save file of a state dict: no end of central directory (truncated?)',
    );
  });
});

describe('loadTorchWeights and saveTorchWeights', () => {
  tf.env().set('IS_TEST', false);

  it('load a torch.save file and a safetensors file alike', async () => {
    const backend = createReferenceBackend();
    const build = () => {
      const layer = torchGRU({ hiddenSize: 4, numLayers: 2, bidirectional: true, name: 'gru' });
      return sequential([layer], { backend, seed: 3, inputShape: [null, 3] });
    };
    const [a, b] = [build(), build()];
    await loadTorchWeights(a, join(FIXTURES, 'gru_bidirectional.pt'), { mapping: { gru: '' } });
    await loadTorchWeights(b, fixtureBytes('gru_bidirectional.safetensors'), { mapping: { gru: '' } });
    expect(a.getWeightData()).toEqual(b.getWeightData());
  });

  it('report every missing, extra and mis-shaped key in one error, and change nothing', async () => {
    const backend = createReferenceBackend();
    const m = sequential([torchLSTM({ hiddenSize: 4, name: 'rnn' })], {
      backend,
      seed: 3,
      inputShape: [null, 3],
    });
    const before = m.getWeightData();
    const state = new Map((await readTorchWeights(fixtureBytes('lstm.safetensors'))).entries());
    state.delete('bias_hh_l0');
    state.set('weight_hh_l0', { dtype: 'F32', shape: [4, 16], data: new Float64Array(64) });
    // A batch norm's counter is skipped only beside a batch norm's running_mean.
    state.set('num_batches_tracked', { dtype: 'I64', shape: [], data: new Float64Array(1) });
    await expect(loadTorchWeights(m, state, { mapping: { rnn: '' } })).rejects.toThrow(
      'loadTorchWeights: the state dict does not fit sequential (Sequential): missing keys: bias_hh_l0; unexpected keys: weight_ih_l1, weight_hh_l1, bias_ih_l1, bias_hh_l1, num_batches_tracked; wrong shapes: weight_hh_l0 (expected [16, 4], received [4, 16]). Expected keys: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0',
    );
    expect(m.getWeightData()).toEqual(before);
    await expect(loadTorchWeights(m, state, { mapping: { lstm: '' } })).rejects.toThrow(
      'loadTorchWeights options.mapping: sequential (Sequential) has no layer "lstm"; its layers: rnn',
    );
    await expect(loadTorchWeights(m, join(FIXTURES, 'missing.safetensors'))).rejects.toThrow(
      `${join(FIXTURES, 'missing.safetensors')}: cannot read PyTorch weights: ENOENT`,
    );
    await expect(loadTorchWeights(m, 42 as never)).rejects.toThrow('PyTorch weights source');
    expect(() => torchStateDict(sequential([torchLinear({ outFeatures: 2 })], { backend }))).toThrow(
      'torchStateDict: sequential (Sequential) has no weights (is it built? build it or run it once first)',
    );
  });

  it('save what loads back unchanged (prefixes from the mapping, float32 or float64), without leaking', async () => {
    const backend = createCpuBackend();
    const dir = await mkdtemp(join(tmpdir(), 'seqmodel-torch-'));
    try {
      const build = (seed: number) =>
        sequential(
          [
            torchLSTM({ hiddenSize: 5, numLayers: 2, bidirectional: true, name: 'encoder' }),
            torchLinear({ outFeatures: 2, name: 'head' }),
          ],
          { backend, seed, inputShape: [null, 3] },
        );
      const [a, b] = [build(1), build(2)];
      const tensors = backend.memory().numTensors;
      const mapping = { encoder: 'rnn', head: '' };
      const path = join(dir, 'model.safetensors');
      const bytes = await saveTorchWeights(a, path, { mapping });
      expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
      const keys = [...readSafetensors(bytes).tensors.keys()];
      expect(keys).toContain('rnn.weight_ih_l1_reverse');
      expect(keys).toContain('weight');
      expect(readSafetensors(bytes).metadata).toEqual({ format: 'pt' });
      expect(b.getWeightData()).not.toEqual(a.getWeightData());
      await loadTorchWeights(b, path, { mapping });
      expect(b.getWeightData()).toEqual(a.getWeightData());
      const f64 = await saveTorchWeights(a, undefined, { mapping, dtype: 'F64' });
      expect(readSafetensors(f64).tensors.get('weight')!.dtype).toBe('F64');
      expect(backend.memory().numTensors).toBe(tensors);
      a.dispose();
      b.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuse layers that PyTorch computes differently, and layers without a mapping', () => {
    const backend = createReferenceBackend();
    const cases: [Layer, string][] = [
      [
        lstm({ units: 2, recurrentActivation: 'hardSigmoid' }),
        'lstm (LSTM): PyTorch weights need recurrentActivation "sigmoid", received "hardSigmoid"',
      ],
      [
        gru({ units: 2, resetAfter: false }),
        'gru (GRU): PyTorch weights need resetAfter: true (PyTorch applies the reset gate after the recurrent product), received resetAfter: false',
      ],
      [
        simpleRNN({ units: 2, activation: 'sigmoid' }),
        'simple_rnn (SimpleRNN): PyTorch weights need activation "tanh" or "relu" (nn.RNN\'s nonlinearity), received "sigmoid"',
      ],
    ];
    for (const [layer, message] of cases) {
      const m = sequential([layer], { backend, inputShape: [null, 3] });
      expect(() => torchStateDict(m)).toThrow(message);
    }
    const withFlatten = sequential(
      [torchLinear({ outFeatures: 2 }), timeDistributed(torchLinear({ outFeatures: 1 }))],
      {
        backend,
        inputShape: [null, 3],
      },
    );
    expect(() => torchStateDict(withFlatten)).toThrow(
      'no PyTorch mapping for the class TimeDistributed; classes with one: BatchNormalization, Bidirectional, Dense, Embedding, GRU, LSTM, RNN, SimpleRNN, Stacked (others register theirs with registerTorchLayer)',
    );
  });
});
