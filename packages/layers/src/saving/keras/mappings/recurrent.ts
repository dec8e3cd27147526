/**
 * Keras' `SimpleRNN`, `LSTM` and `GRU`, and seqmodel's `rnn()` layers running one of those three cells (saved as the
 * matching Keras layer). Keras' `RNN` wrapper loads too: `RNN(LSTMCell(...))` as the LSTM layer it computes (the same
 * for SimpleRNNCell and GRUCell), `RNN(StackedRNNCells([...]))` (or a list of cells) as a `Stacked` layer of them.
 * Absent `recurrent_activation` / `reset_after` take the dialect's defaults: tfjs-layers `hard_sigmoid` / false, Keras
 * 2 and 3 `sigmoid` / true.
 */
import type { ActivationName, InitializerSpec } from '@seqmodel/core';
import type { Layer } from '../../../engine/layer.js';
import { GRU, LSTM, type RNN, SimpleRNN } from '../../../layers/rnn.js';
import { Stacked } from '../../../layers/stacked.js';
import { isObject } from '../../files.js';
import type {
  KerasExportContext,
  KerasImportContext,
  KerasLayerConfig,
  KerasLayerMapping,
} from '../mapping.js';
import { KerasConfigReader } from '../option-reader.js';

type RecurrentClass = 'SimpleRNN' | 'LSTM' | 'GRU';

function recurrentFromKeras(kind: RecurrentClass) {
  return (reader: KerasConfigReader, context: KerasImportContext): RNN => {
    const tfjs = context.dialect === 'tfjs';
    const args: Record<string, unknown> = {
      ...reader.layerArgs(),
      units: reader.positiveInteger('units'),
      activation: reader.activation('activation', 'tanh'),
      useBias: reader.boolean('use_bias', true),
      returnSequences: reader.boolean('return_sequences', false),
      returnState: reader.boolean('return_state', false),
      goBackwards: reader.boolean('go_backwards', false),
      stateful: reader.boolean('stateful', false),
      dropout: reader.rate('dropout'),
      recurrentDropout: reader.rate('recurrent_dropout'),
      zeroOutputForMask: reader.boolean('zero_output_for_mask', false),
    };
    for (const [ours, theirs] of [
      ['kernelInitializer', 'kernel_initializer'],
      ['recurrentInitializer', 'recurrent_initializer'],
      ['biasInitializer', 'bias_initializer'],
    ] as const) {
      const init = reader.initializer(theirs);
      if (init !== undefined) args[ours] = init;
    }
    reader.ignoreTrainingOnly('kernel', 'recurrent', 'bias');
    reader.expect('time_major', [false], 'false (seqmodel reads [batch, time, features])');
    reader.expect('num_constants', [0], 'null (RNN constants are not supported)');
    // Same numbers either way: unrolling, the kernel implementation, cuDNN, and seeds of training-time dropout.
    reader.ignore('unroll', 'implementation', 'use_cudnn', 'seed');
    if (kind !== 'SimpleRNN') {
      args.recurrentActivation = reader.activation('recurrent_activation', tfjs ? 'hardSigmoid' : 'sigmoid');
    }
    if (kind === 'LSTM') {
      // tfjs-layers writes null for the default (true); it only decides the initial forget bias.
      args.unitForgetBias = reader.boolean('unit_forget_bias', true);
    }
    if (kind === 'GRU') args.resetAfter = reader.boolean('reset_after', !tfjs);
    if (context.forceZeroOutputForMask) args.zeroOutputForMask = args.returnSequences;
    if (kind === 'LSTM') return new LSTM(args as never);
    if (kind === 'GRU') return new GRU(args as never);
    return new SimpleRNN(args as never);
  };
}

const KERAS_RNN_CLASS: Readonly<Record<string, RecurrentClass>> = {
  simpleRNN: 'SimpleRNN',
  lstm: 'LSTM',
  gru: 'GRU',
};

/** The Keras layer of the layer's cell, with tfjs-layers' fields. */
function recurrentToKeras(layer: RNN, context: KerasExportContext): KerasLayerConfig {
  const className = KERAS_RNN_CLASS[layer.cell.name];
  if (className === undefined) {
    context.refuse(
      `the cell ${JSON.stringify(layer.cell.name)} has no Keras layer; save with saveModel instead`,
      'cell',
    );
  }
  if (layer.zeroOutputForMask) {
    context.refuse('tfjs-layers always repeats the previous output at masked steps', 'zeroOutputForMask');
  }
  const o = layer.cellOptions as Record<string, unknown>;
  const config: Record<string, unknown> = {
    ...context.commonConfig(),
    units: layer.units,
    activation: context.activation('activation', o.activation as ActivationName),
    ...(className === 'SimpleRNN'
      ? {}
      : {
          recurrent_activation: context.activation(
            'recurrentActivation',
            o.recurrentActivation as ActivationName,
          ),
        }),
    use_bias: o.useBias,
    kernel_initializer: context.initializer('kernelInitializer', o.kernelInitializer as InitializerSpec),
    recurrent_initializer: context.initializer(
      'recurrentInitializer',
      o.recurrentInitializer as InitializerSpec,
    ),
    bias_initializer: context.initializer('biasInitializer', o.biasInitializer as InitializerSpec),
    ...(className === 'LSTM' ? { unit_forget_bias: o.unitForgetBias } : {}),
    kernel_regularizer: null,
    recurrent_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    recurrent_constraint: null,
    bias_constraint: null,
    dropout: layer.dropout,
    recurrent_dropout: layer.recurrentDropout,
    ...(className === 'SimpleRNN' ? {} : { implementation: 1 }),
    return_sequences: layer.returnSequences,
    return_state: layer.returnState,
    go_backwards: layer.goBackwards,
    stateful: layer.stateful,
    unroll: false,
  };
  if (className === 'GRU') {
    if (o.resetAfter === true) {
      context.refuse(
        'true cannot be loaded by tfjs-layers (it supports only reset_after false); build the GRU with resetAfter: false, or save with saveModel',
        'resetAfter',
      );
    }
    config.reset_after = false;
  }
  return { class_name: className, config };
}

function recurrentMapping(kind: RecurrentClass): KerasLayerMapping<RNN> {
  return { className: kind, fromKeras: recurrentFromKeras(kind), toKeras: recurrentToKeras };
}

export const simpleRnnMapping = recurrentMapping('SimpleRNN');
export const lstmMapping = recurrentMapping('LSTM');
export const gruMapping = recurrentMapping('GRU');

/** The Keras cell classes `RNN` loads, and the layer each computes as. */
const CELL_LAYERS: Readonly<Record<string, RecurrentClass>> = {
  SimpleRNNCell: 'SimpleRNN',
  LSTMCell: 'LSTM',
  GRUCell: 'GRU',
};

/** `RNN`'s own options, which a cell's layer takes from the wrapper. */
const RNN_OPTIONS = [
  'return_sequences',
  'return_state',
  'go_backwards',
  'stateful',
  'unroll',
  'zero_output_for_mask',
  'time_major',
  'num_constants',
];

/**
 * The cells of `RNN`'s `cell` option (one cell, a list, or `StackedRNNCells` holding a list), with each one's path in
 * errors. tfjs-layers also writes the cell's config (for a stack, its `cells`) at the top of the RNN's: those copies
 * are marked as read.
 */
function cellsOf(reader: KerasConfigReader): { cells: unknown[]; path: (i: number) => string } {
  const cell = reader.get('cell');
  if (reader.context.dialect === 'tfjs' && isObject(cell) && isObject(cell.config)) {
    reader.ignore(...Object.keys(cell.config));
  }
  if (Array.isArray(cell)) return { cells: cell, path: (i) => `cell[${i}]` };
  if (isObject(cell) && cell.class_name === 'StackedRNNCells') {
    const cells = isObject(cell.config) ? cell.config.cells : undefined;
    if (Array.isArray(cells) && cells.length > 0) return { cells, path: (i) => `cell.cells[${i}]` };
    reader.fail('cell', cell, 'StackedRNNCells with a non-empty list of cells');
  }
  return { cells: [cell], path: () => 'cell' };
}

/** Keras' `RNN(cell)`: the layer of its one cell, or a `Stacked` layer of its stacked cells. */
function rnnFromKeras(reader: KerasConfigReader, context: KerasImportContext): Layer {
  const args = reader.layerArgs();
  const wrapper: Record<string, unknown> = {};
  for (const key of RNN_OPTIONS) {
    const value = reader.get(key);
    if (value !== undefined) wrapper[key] = value;
  }
  const { cells, path } = cellsOf(reader);
  const stack = cells.length > 1;
  if (stack && wrapper.go_backwards === true) {
    reader.fail(
      'go_backwards',
      true,
      'false for stacked cells (run the stack on the reversed sequence instead)',
    );
  }
  const layers: RNN[] = [];
  try {
    for (const [i, cell] of cells.entries()) {
      const where = stack ? `cell ${i}` : 'cell';
      const kind =
        isObject(cell) && typeof cell.class_name === 'string' ? CELL_LAYERS[cell.class_name] : undefined;
      if (kind === undefined || !isObject(cell) || (cell.config !== undefined && !isObject(cell.config))) {
        reader.fail(
          path(i),
          isObject(cell) ? cell.class_name : cell,
          'a SimpleRNNCell, LSTMCell or GRUCell (or StackedRNNCells of them)',
        );
      }
      const own = (cell.config ?? {}) as Record<string, unknown>;
      // One cell computes as its layer under the wrapper's name; stacked cells keep theirs, and the stack decides which
      // return sequences.
      const config = stack
        ? { ...own, ...wrapper, return_sequences: true, return_state: false }
        : { ...own, ...wrapper, ...pick(reader.config, ['name', 'trainable', 'dtype']) };
      const cellReader = new KerasConfigReader(
        `${reader.where} ${where} ${typeof own.name === 'string' ? `${own.name} ` : ''}(${String(cell.class_name)})`,
        config,
        context,
      );
      layers.push(recurrentFromKeras(kind)(cellReader, context));
      cellReader.finish();
    }
  } catch (error) {
    for (const layer of layers) layer.dispose();
    throw error;
  }
  if (!stack) return layers[0]!;
  return new Stacked(layers, {
    ...args,
    returnSequences: wrapper.return_sequences === true,
    returnState: wrapper.return_state === true,
  });
}

/** The entries of `config` under `keys` that it has. */
function pick(config: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in config).map((k) => [k, config[k]]));
}

/**
 * Keras' `RNN(cell)` loads (see the module comment); seqmodel's `rnn({ cell })` saves as the Keras layer of its cell
 * when Keras has one.
 */
export const rnnMapping: KerasLayerMapping<RNN> = {
  className: 'RNN',
  fromKeras: rnnFromKeras as KerasLayerMapping<RNN>['fromKeras'],
  toKeras: recurrentToKeras,
};
