import { afterEach, describe, expect, it } from 'vitest';
import type { CellPlugin } from './cell.js';
import { simpleRNN } from './cells/simple-rnn.js';
import { CellRegistry, getCell, listCells, registerCell, resolveCell, unregisterCell } from './registry.js';

const echo: CellPlugin<{ scale: number }> = {
  name: 'echo',
  defaultOptions: { scale: 1 },
  params: ({ inputSize, units }) => [{ name: 'kernel', shape: [inputSize, units], initializer: 'ones' }],
  state: ({ units }) => [{ name: 'h', size: units }],
  step: (ops, { input, params }) => {
    const out = ops.matMul(input, params.kernel!);
    return { output: out, state: [out] };
  },
};

describe('cell registry', () => {
  afterEach(() => {
    unregisterCell('echo');
  });

  it('lists the built-in cells', () => {
    expect(listCells()).toEqual(['simpleRNN', 'lstm', 'gru']);
    expect(getCell('lstm').name).toBe('lstm');
  });

  it('registers, finds and removes a plugin', () => {
    registerCell(echo);
    expect(getCell('echo')).toBe(echo);
    expect(listCells()).toContain('echo');
    expect(resolveCell('echo')).toBe(echo);
    expect(resolveCell(echo)).toBe(echo);
    expect(unregisterCell('echo')).toBe(true);
    expect(() => getCell('echo')).toThrow(
      'getCell: unknown cell "echo"; registered cells: simpleRNN, lstm, gru. A plugin cell is known by name only ' +
        'once registered: call registerCell(cell) first (also before loading a saved model that uses it)',
    );
  });

  it('refuses a second registration unless replacing', () => {
    registerCell(echo);
    expect(() => registerCell({ ...echo })).toThrow(
      'registerCell: a cell named "echo" is already registered; pass { replace: true } to replace it',
    );
    const replacement = { ...echo, description: 'v2' };
    registerCell(replacement, { replace: true });
    expect(getCell('echo')).toBe(replacement);
  });

  it('rejects malformed plugins with the missing part named', () => {
    expect(() => registerCell({ ...echo, name: '' })).toThrow(/registerCell\(cell\)\.name: expected a name/);
    expect(() => registerCell({ ...echo, step: undefined } as never)).toThrow(
      'registerCell(echo).step: expected a function, received undefined',
    );
    expect(() => registerCell(null as never)).toThrow(
      'registerCell(cell): expected a cell plugin object, received null',
    );
  });

  it('keeps separate registries apart', () => {
    const registry = new CellRegistry([simpleRNN]);
    registry.register(echo);
    expect(registry.list()).toEqual(['simpleRNN', 'echo']);
    expect(listCells()).not.toContain('echo');
    expect(() => registry.get('lstm')).toThrow('registered cells: simpleRNN, echo');
  });
});
