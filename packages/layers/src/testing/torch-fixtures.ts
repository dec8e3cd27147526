/**
 * Checks a model against a PyTorch fixture: the files that `fixtures/generate.py` in `@seqmodel/layers` and
 * `@seqmodel/attention` write from PyTorch itself (`<case>.safetensors`: the module's state dict; `<case>.io.safetensors`:
 * float64 `input` (and `input1`, ...), `target`, `output`, and `sgd.<key>`, each parameter after one SGD step with
 * the metadata's `lr` on the mean squared error). Authors of a `registerTorchLayer` mapping can write their fixtures
 * the same way and run this.
 */
import { type Backend, ReferenceBackend, type RefTensor, SeqmodelError } from '@seqmodel/core';
import type { Model } from '../models/model.js';
import { loadTorchStateDict, torchStateDict } from '../saving/torch/load-save.js';
import { readSafetensors } from '../saving/torch/safetensors.js';
import type { StateDict } from '../saving/torch/state-dict.js';
import { sgd } from '../training/optimizers/sgd.js';

export interface TorchFixture {
  readonly state: StateDict;
  readonly io: StateDict;
  /** The module's configuration, as the generator wrote it (`__metadata__.config`). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly lr: number;
}

/** Parses the two files of a fixture (`source` names it in errors). */
export function parseTorchFixture(state: Uint8Array, io: Uint8Array, source = 'fixture'): TorchFixture {
  const s = readSafetensors(state, `${source}.safetensors`);
  const i = readSafetensors(io, `${source}.io.safetensors`);
  const lr = Number(i.metadata.lr);
  if (!Number.isFinite(lr)) throw new SeqmodelError(`${source}.io.safetensors: no numeric __metadata__.lr`);
  return { state: s.tensors, io: i.tensors, config: JSON.parse(s.metadata.config ?? '{}'), lr };
}

export interface TorchFixtureCheck {
  /** Largest absolute gap between the model's output and PyTorch's. */
  readonly forward: number;
  /** Largest absolute gap between the parameters after one SGD step and PyTorch's (absent: the backend cannot train). */
  readonly afterStep?: number;
  /** The key whose gap is `afterStep`. */
  readonly worstKey?: string;
  /** Tensors the check left on the backend (0 unless something leaks). */
  readonly tensorsLeft: number;
}

function maxGap(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  if (a.length !== b.length)
    throw new SeqmodelError(`${what}: ${a.length} values against PyTorch's ${b.length}`);
  let gap = 0;
  for (let i = 0; i < a.length; i++) gap = Math.max(gap, Math.abs(a[i]! - b[i]!));
  return gap;
}

/**
 * Loads the fixture's state dict into `model` (built for the fixture's inputs), runs it on the inputs and, on a
 * backend that trains, takes one SGD step on the mean squared error; returns the largest gaps to PyTorch. With
 * `summedBiases` (LSTM and RNN layers, whose one bias is PyTorch's `bias_ih + bias_hh`), `bias_hh` must come back
 * zero and `bias_ih` is compared with the mean of PyTorch's sums before and after its step (PyTorch moves the sum by
 * twice the gradient). The float64 reference backend gets the float64 inputs; tfjs backends float32 ones.
 */
export function checkTorchFixture<T>(
  model: Model<T>,
  fixture: TorchFixture,
  options: { readonly mapping?: Readonly<Record<string, string>>; readonly summedBiases?: boolean } = {},
): TorchFixtureCheck {
  const backend = model.backend as Backend<T>;
  const before = backend.memory().numTensors;
  const names = options.mapping === undefined ? {} : { mapping: options.mapping };
  loadTorchStateDict(model, fixture.state, names);
  const float64 = backend instanceof ReferenceBackend;
  const tensor = (key: string) => {
    const t = fixture.io.get(key);
    if (t === undefined) throw new SeqmodelError(`fixture: no tensor ${key}`);
    return backend.tensor(float64 ? t.data : Float32Array.from(t.data), t.shape);
  };
  const inputs = [tensor('input')];
  for (let i = 1; fixture.io.has(`input${i}`); i++) inputs.push(tensor(`input${i}`));
  const target = tensor('target');
  const x = inputs.length === 1 ? inputs[0]! : inputs;
  let forward: number;
  let step: { afterStep: number; worstKey: string } | undefined;
  try {
    const out = model.apply(x) as T;
    const values = float64
      ? (backend as unknown as ReferenceBackend).toFloat64(out as RefTensor)
      : backend.dataSync(out);
    backend.dispose(out);
    forward = maxGap(values, fixture.io.get('output')!.data, 'output');
    if (typeof backend.valueAndGrads === 'function') {
      model.compile({ optimizer: sgd({ learningRate: fixture.lr }), loss: 'mse' });
      model.trainOnBatch(x, target);
      step = compareAfterStep(torchStateDict(model, names), fixture, options.summedBiases ?? false);
    }
  } finally {
    backend.dispose([...inputs, target]);
  }
  return { forward, ...step, tensorsLeft: backend.memory().numTensors - before };
}

function compareAfterStep(
  after: StateDict,
  fixture: TorchFixture,
  summedBiases: boolean,
): { afterStep: number; worstKey: string } {
  const keys = [...after.keys()].sort().join(', ');
  const expectedKeys = [...fixture.state.keys()].sort().join(', ');
  if (keys !== expectedKeys) throw new SeqmodelError(`saved keys ${keys}, PyTorch's ${expectedKeys}`);
  let afterStep = 0;
  let worstKey = '';
  for (const [key, t] of after) {
    const torchAfter = fixture.io.get(`sgd.${key}`)!.data;
    let expected: ArrayLike<number> = torchAfter;
    if (summedBiases && key.includes('bias_hh')) {
      expected = new Float64Array(t.data.length);
    } else if (summedBiases && key.includes('bias_ih')) {
      const other = key.replace('bias_ih', 'bias_hh');
      const otherAfter = fixture.io.get(`sgd.${other}`)!.data;
      const [ih, hh] = [fixture.state.get(key)!.data, fixture.state.get(other)!.data];
      expected = torchAfter.map((v, i) => (v + otherAfter[i]! + ih[i]! + hh[i]!) / 2);
    }
    const gap = maxGap(t.data, expected, key);
    if (gap >= afterStep) [afterStep, worstKey] = [gap, key];
  }
  return { afterStep, worstKey };
}
