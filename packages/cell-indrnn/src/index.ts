/** `@seqmodel/cell-indrnn`: the IndRNN as a seqmodel cell plugin. Register it with `registerCell(indRnn)`. */
export { type IndRnnOptions, indRnn } from './indrnn.js';
