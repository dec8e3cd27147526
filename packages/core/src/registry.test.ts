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

  it("says when a name is registered in another copy of the module (the other build's registry)", () => {
    // What the other build of @seqmodel/core (CommonJS beside ES modules) adds when it loads: its default registry.
    const copies = (globalThis as Record<symbol, unknown>)[
      Symbol.for('@seqmodel/core default cell registries')
    ] as WeakRef<CellRegistry>[];
    expect(copies.length).toBeGreaterThanOrEqual(1);
    const other = new WeakRef(new CellRegistry([echo]));
    copies.push(other);
    try {
      expect(() => getCell('echo', 'lstm({ cell })')).toThrow(
        'lstm({ cell }): cell "echo" is registered in another copy of @seqmodel/core loaded in this process, not in ' +
          'the one looking it up: its other build (CommonJS beside ES modules: require and import both loaded it) or ' +
          'another installed version. Register the cell through the same module system (and the same copy) as the ' +
          'packages that use it',
      );
      // Registered here too: found here, as always; unknown everywhere: the usual message.
      registerCell(echo);
      expect(getCell('echo')).toBe(echo);
      expect(() => getCell('unknown')).toThrow('getCell: unknown cell "unknown"; registered cells:');
    } finally {
      copies.splice(copies.indexOf(other), 1);
    }
  });

  it('keeps separate registries apart', () => {
    const registry = new CellRegistry([simpleRNN]);
    registry.register(echo);
    expect(registry.list()).toEqual(['simpleRNN', 'echo']);
    expect(listCells()).not.toContain('echo');
    expect(() => registry.get('lstm')).toThrow('registered cells: simpleRNN, echo');
  });
});
