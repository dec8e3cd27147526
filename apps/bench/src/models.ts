/**
 * The two contenders on one tfjs backend, on the same data: a seqmodel cell run by core's `runSequence` and a
 * tfjs-layers `Sequential` model with one `simpleRNN` / `lstm` / `gru` layer. Both return the last step's output,
 * and train with one SGD step on the mean squared error against a fixed target.
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { resolveCellDims, runSequence, type SequenceArgs, selectKernel } from '@seqmodel/core';
// tfjs-layers calls chained tensor methods (x.add(...)), which tfjs-core registers only through this module.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BenchCell } from './cells.js';
import type { RnnSize } from './sizes.js';
import type { BenchData } from './weights.js';
import { learningRate } from './workload.js';

export interface BenchModel {
  /** One forward pass; the output `[batch, units]`, read back. */
  forward(): Float32Array;
  /** One training step (forward, loss, backward, SGD update); the loss before the update. */
  trainStep(): number;
  /** The current parameters (kernel, recurrent kernel, bias for the built-in cells), read back. */
  weights(): Float32Array[];
  /** Which seqmodel kernel runs (`hand-written`, `compiled (javascript)`, `generic loop`); absent for tfjs-layers. */
  readonly kernel?: string;
  dispose(): void;
}

/**
 * The training step every seqmodel path is timed with: `valueAndGrads` of the mean squared error between
 * `model(params)` and the target, then an SGD update. Returns the loss and the updated parameters (the old ones are
 * freed).
 */
function sgdStep(
  b: TfjsBackend,
  params: tf.Tensor[],
  target: tf.Tensor,
  count: number,
  model: ParamsModelFn,
): { loss: number; next: tf.Tensor[] } {
  const { value, grads } = b.valueAndGrads((...ps) => {
    // What the model makes besides its output is freed by valueAndGrads' scope.
    const diff = b.sub(model(ps).output, target);
    return b.div(b.sum(b.mul(diff, diff)), count);
  }, params);
  const loss = b.dataSync(value)[0]!;
  const next = b.tidy(() => params.map((p, i) => b.sub(p, b.mul(grads[i]!, learningRate))));
  b.dispose([value, ...grads, ...params]);
  return { loss, next };
}

/** The parameters to the model's output, and the other tensors it made (a sequence's final states), if any. */
type ParamsModelFn = (ps: tf.Tensor[]) => { output: tf.Tensor; others?: tf.Tensor[] };

/**
 * A model whose output is `model(params)`, trained against `data`'s target: `params` (freed by `dispose`, replaced
 * at every training step) and `extra` (freed by `dispose`) become the model's.
 */
function paramsModel(
  b: TfjsBackend,
  data: BenchData,
  params: tf.Tensor[],
  extra: tf.Tensor[],
  model: ParamsModelFn,
  kernel: string,
): BenchModel {
  const target = b.tensor(data.target.values, data.target.shape);
  const count = data.target.values.length;
  let current = params;
  return {
    kernel,
    forward() {
      // The output and the other tensors the model made (final states) freed by hand, as the timed pass always did.
      const { output, others = [] } = model(current);
      const values = b.dataSync(output) as Float32Array;
      b.dispose([output, ...others]);
      return values;
    },
    trainStep() {
      const { loss, next } = sgdStep(b, current, target, count, model);
      current = next;
      return loss;
    },
    weights: () => current.map((p) => b.dataSync(p) as Float32Array),
    dispose: () => b.dispose([...current, target, ...extra]),
  };
}

export function seqmodelModel(b: TfjsBackend, cell: BenchCell, size: RnnSize, data: BenchData): BenchModel {
  const { cell: plugin, dims } = resolveCellDims(cell.cellName, {
    inputSize: size.inputSize,
    units: size.units,
    ...cell.options,
  });
  const params = data.params.map((p) => b.tensor(p.values, p.shape));
  const inputs = b.tensor(data.inputs.values, data.inputs.shape);
  const args = (ps: tf.Tensor[]): SequenceArgs<tf.Tensor> => ({
    cell: plugin,
    options: dims.options,
    units: size.units,
    inputs,
    params: Object.fromEntries(data.params.map((p, i) => [p.name, ps[i]!])),
  });
  const chosen = selectKernel(b, 'sequence', plugin.name, args(params));
  return paramsModel(
    b,
    data,
    params,
    [inputs],
    (ps) => {
      const { output, state } = runSequence(b, args(ps));
      return { output, others: state };
    },
    chosen ? (chosen.label ?? 'fused') : 'generic loop',
  );
}

/**
 * The fixed cost of {@link seqmodelModel}'s training step: the same loss, gradient tape and SGD update over the same
 * parameters, with the model replaced by the sum of each parameter (one reduction per parameter and the adds: a few
 * small ops, so its time is slightly above the harness alone). `bench paths` times it beside the kernels, so that
 * the ratio of what the kernels themselves cost can be told from the ratio of whole steps.
 */
export function harnessModel(b: TfjsBackend, data: BenchData): BenchModel {
  return paramsModel(
    b,
    data,
    data.params.map((p) => b.tensor(p.values, p.shape)),
    [],
    (ps) => {
      // Every sum and partial sum but the last is freed by the caller.
      const others: tf.Tensor[] = [];
      const output = ps
        .map((p) => b.sum(p))
        .reduce((total, x) => {
          others.push(total, x);
          return b.add(total, x);
        });
      return { output, others };
    },
    'harness',
  );
}

/** tfjs-layers' layer for `cell` on `b`'s tfjs backend; throws when tfjs-layers has none. */
export function layersModel(b: TfjsBackend, cell: BenchCell, size: RnnSize, data: BenchData): BenchModel {
  if (!('layer' in cell.tfjsLayers)) throw new Error(`${cell.key}: ${cell.tfjsLayers.unavailable}`);
  b.activate();
  const common = {
    units: size.units,
    inputShape: [size.time, size.inputSize],
    returnSequences: false,
    activation: 'tanh' as const,
    // The weights are overwritten below; tfjs-layers' default orthogonal initializer would only cost time.
    kernelInitializer: 'zeros',
    recurrentInitializer: 'zeros',
    biasInitializer: 'zeros',
  };
  const gates = { ...common, recurrentActivation: 'sigmoid' as const };
  const kind = cell.tfjsLayers.layer;
  // tfjs-layers' GRU is always the resetAfter: false variant (its GRU layer takes no resetAfter option).
  const layer =
    kind === 'simpleRNN'
      ? tfl.layers.simpleRNN(common)
      : kind === 'lstm'
        ? tfl.layers.lstm({ ...gates, unitForgetBias: false })
        : tfl.layers.gru(gates);
  const model = tfl.sequential({ layers: [layer] });
  const initial = data.params.map((p) => tf.tensor(p.values, [...p.shape]));
  model.setWeights(initial);
  tf.dispose(initial);
  const x = tf.tensor(data.inputs.values, [...data.inputs.shape]);
  const y = tf.tensor(data.target.values, [...data.target.shape]);
  const optimizer = tf.train.sgd(learningRate);
  return {
    forward() {
      b.activate();
      // One batch: predict would otherwise split the input into batches of 32.
      const output = model.predict(x, { batchSize: size.batch }) as tf.Tensor;
      const values = (output.dataSync() as Float32Array).slice();
      output.dispose();
      return values;
    },
    trainStep() {
      b.activate();
      const loss = optimizer.minimize(
        () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      )!;
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    },
    weights: () => model.getWeights().map((w) => (w.dataSync() as Float32Array).slice()),
    dispose() {
      model.dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    },
  };
}
