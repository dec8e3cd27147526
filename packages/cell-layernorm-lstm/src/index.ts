/** `@seqmodel/cell-layernorm-lstm`: the layer-normalized LSTM as a seqmodel cell plugin. Register it with `registerCell(layerNormLstm)`. */
export { type LayerNormLstmOptions, layerNormLstm } from './layernorm-lstm.js';
