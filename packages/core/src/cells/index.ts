/** The built-in cells, in the order the default registry lists them. */
import type { AnyCellPlugin } from '../cell.js';
import { gru } from './gru.js';
import { lstm } from './lstm.js';
import { simpleRNN } from './simple-rnn.js';

export { type BaseCellOptions, baseCellDefaults, validateBaseOptions } from './common.js';
export { type GruOptions, gru } from './gru.js';
export { type LstmOptions, lstm, lstmBiasInitializer } from './lstm.js';
export { type SimpleRnnOptions, simpleRNN } from './simple-rnn.js';

export const builtInCells: readonly AnyCellPlugin[] = [simpleRNN, lstm, gru];
