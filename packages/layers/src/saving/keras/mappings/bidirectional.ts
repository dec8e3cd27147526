/**
 * Keras' `Bidirectional` around a SimpleRNN, LSTM or GRU. Keras (2 and 3, not tfjs-layers) makes the inner layers
 * output zeros at masked steps when they return sequences; Keras 3 always writes the backward layer, tfjs-layers
 * derives it from the forward one.
 */
import { Bidirectional, type MergeMode } from '../../../layers/bidirectional.js';
import type { RNN } from '../../../layers/rnn.js';
import type { KerasLayerMapping } from '../mapping.js';

const MERGE_MODES: readonly unknown[] = ['concat', 'sum', 'mul', 'ave'];
const RECURRENT_CLASSES = ['SimpleRNN', 'LSTM', 'GRU'];

function sameRecurrentConfig(a: RNN, b: RNN): boolean {
  const strip = (layer: RNN) => {
    const { name: _name, ...rest } = layer.getConfig();
    return JSON.stringify(rest);
  };
  return strip(a) === strip(b);
}

function stripPrefix(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** The inner layer's name as tfjs-layers writes it (it prefixes forward_ / backward_ itself). */
function innerName(layer: Bidirectional): string {
  return stripPrefix(layer.forwardLayer.name, 'forward_');
}

export const bidirectionalMapping: KerasLayerMapping<Bidirectional> = {
  className: 'Bidirectional',

  fromKeras(reader, context) {
    const args = reader.layerArgs();
    const rawMode = reader.config.merge_mode;
    const mergeMode = (rawMode === undefined ? 'concat' : rawMode) as MergeMode;
    reader.get('merge_mode');
    if (mergeMode !== null && !MERGE_MODES.includes(mergeMode)) {
      reader.fail('merge_mode', rawMode, '"concat", "sum", "mul", "ave" or null');
    }
    reader.expect('num_constants', [0], 'null (RNN constants are not supported)');
    const nested = { forceZeroOutputForMask: context.dialect !== 'tfjs' };
    const forward = context.layerFromKeras(reader.get('layer'), `${reader.where} option layer`, nested);
    if (!RECURRENT_CLASSES.includes(forward.className)) {
      forward.dispose();
      reader.fail('layer', forward.className, 'a SimpleRNN, LSTM or GRU layer');
    }
    const backwardJson = reader.get('backward_layer');
    let backward: RNN | undefined;
    if (backwardJson !== undefined) {
      const layer = context.layerFromKeras(backwardJson, `${reader.where} option backward_layer`, nested);
      if (!RECURRENT_CLASSES.includes(layer.className)) {
        reader.fail('backward_layer', layer.className, 'a SimpleRNN, LSTM or GRU layer');
      }
      backward = layer as RNN;
      // When the backward layer is the forward layer run backwards, let Bidirectional derive it, as a model built in
      // seqmodel would.
      const derived = (forward as RNN).cloneWith({ goBackwards: !(forward as RNN).goBackwards });
      if (sameRecurrentConfig(derived, backward)) backward = undefined;
    }
    return new Bidirectional(forward as RNN, {
      ...args,
      mergeMode,
      ...(backward === undefined ? {} : { backwardLayer: backward }),
    });
  },

  toKeras(layer, context) {
    if (layer.getConfig().backwardLayer !== undefined) {
      context.refuse(
        'tfjs-layers derives the backward layer from the forward one and cannot load a separate one',
        'backwardLayer',
      );
    }
    return {
      class_name: 'Bidirectional',
      config: {
        ...context.commonConfig(),
        layer: context.layerToKeras(layer.forwardLayer, innerName(layer)),
        merge_mode: layer.mergeMode,
      },
    };
  },

  kerasWeightNames(layer, scope, context) {
    const base = innerName(layer);
    return [
      ...context.weightNames(layer.forwardLayer, `${scope}/forward_${base}`),
      ...context.weightNames(layer.backwardLayer, `${scope}/backward_${base}`),
    ];
  },
};
