/**
 * `@seqmodel/cell-peephole-lstm`: the LSTM with peephole connections as a seqmodel cell plugin. Register it with
 * `registerCell(peepholeLstm)`.
 */
export { type PeepholeLstmOptions, peepholeLstm } from './peephole-lstm.js';
