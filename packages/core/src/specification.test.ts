import { afterEach, describe, expect, it } from 'vitest';
import type { CellPlugin } from './cell.js';
import { builtInCells } from './cells/index.js';
import { initParamTensors } from './params.js';
import { runSequence, scanCell } from './recurrence.js';
import { createReferenceBackend } from './reference/reference-backend.js';
import { registerCell, resolveCell, unregisterCell } from './registry.js';
import { backendSpecificationVersions, cellSpecificationVersions } from './specification.js';
import { backendConformanceChecks, cellConformanceChecks } from './testing/index.js';

const echo: CellPlugin<Record<string, never>> = {
  name: 'echo',
  defaultOptions: {},
  params: ({ inputSize, units }) => [{ name: 'kernel', shape: [inputSize, units], initializer: 'ones' }],
  state: ({ units }) => [{ name: 'h', size: units }],
  step: (ops, { input, params }) => {
    const out = ops.matMul(input, params.kernel!);
    return { output: out, state: [out] };
  },
};

const ref = createReferenceBackend();

function echoArgs(cell: CellPlugin<Record<string, never>>) {
  return {
    cell,
    units: 2,
    inputs: ref.fill([1, 2, 3], 1),
    params: initParamTensors(ref, echo, { inputSize: 3, units: 2 }, 1),
  };
}

describe('specification versions', () => {
  afterEach(() => {
    unregisterCell('echo');
  });

  it('are declared by the built-in cells and the reference backend', () => {
    expect(backendSpecificationVersions).toEqual(['v1']);
    expect(cellSpecificationVersions).toEqual(['v1']);
    for (const cell of builtInCells) expect(cell.specificationVersion).toBe('v1');
    expect(ref.specificationVersion).toBe('v1');
  });

  it('let a cell plugin say which contract it implements, or say nothing (v1)', () => {
    registerCell({ ...echo, specificationVersion: 'v1' });
    registerCell(echo, { replace: true });
    expect(resolveCell('echo')).toBe(echo);
    expect(runSequence(ref, echoArgs(echo)).output).toBeDefined();
  });

  it('refuse a cell plugin written for a contract this core does not know, where core receives it', () => {
    const future = { ...echo, specificationVersion: 'v2' } as unknown as CellPlugin<Record<string, never>>;
    const message =
      '.specificationVersion: expected "v1" (the CellPlugin contract this @seqmodel/core implements), received "v2"; ' +
      'it was written for another version of @seqmodel/core: install versions of the two packages that match';
    expect(() => registerCell(future)).toThrow(`registerCell(echo)${message}`);
    expect(() => resolveCell(future)).toThrow(`registerCell(echo)${message}`);
    expect(() => runSequence(ref, echoArgs(future))).toThrow(`args.cell (echo)${message}`);
    expect(() => scanCell(ref, echoArgs(future))).toThrow(`args.cell (echo)${message}`);
  });

  it('refuse a backend written for a contract this core does not know, where core receives it', () => {
    const future = Object.assign(createReferenceBackend(), { specificationVersion: 'v2' as never });
    const message =
      '.specificationVersion: expected "v1" (the Backend contract this @seqmodel/core implements), received "v2"';
    expect(() => runSequence(future, echoArgs(echo))).toThrow(`runSequence(backend)${message}`);
    expect(() => scanCell(future, echoArgs(echo))).toThrow(`scanCell(backend)${message}`);
    expect(() => backendConformanceChecks(future)).toThrow(`backendConformanceChecks(backend)${message}`);
    expect(() => cellConformanceChecks('lstm', future)).toThrow(`cellConformanceChecks(backend)${message}`);
    // A version that is not even a string is named as received.
    const odd = Object.assign(createReferenceBackend(), { specificationVersion: 1 as never });
    expect(() => runSequence(odd, echoArgs(echo))).toThrow(
      `runSequence(backend)${message.replace('"v2"', '1')}`,
    );
  });
});
