/**
 * Keras' `SimpleRNN`, `LSTM` and `GRU`, and seqmodel's `rnn()` layers running one of those three cells (saved as the
 * matching Keras layer; Keras' own `RNN(cell)` wrapper does not load). Absent `recurrent_activation` / `reset_after`
 * take the dialect's defaults: tfjs-layers `hard_sigmoid` / false, Keras 2 and 3 `sigmoid` / true.
 */
import type { ActivationName, InitializerSpec } from '@seqmodel/core';
import { GRU, LSTM, type RNN, SimpleRNN } from '../../../layers/rnn.js';
import type {
  KerasExportContext,
  KerasImportContext,
  KerasLayerConfig,
  KerasLayerMapping,
} from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';

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

/** seqmodel's `rnn({ cell })`: saved as the Keras layer of its cell when Keras has one. */
export const rnnMapping: KerasLayerMapping<RNN> = { className: 'RNN', toKeras: recurrentToKeras };
