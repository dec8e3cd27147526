/** `@seqmodel/cell-mgu`: the minimal gated unit as a seqmodel cell plugin. Register it with `registerCell(mgu)`. */
export { type MguOptions, mgu } from './mgu.js';
