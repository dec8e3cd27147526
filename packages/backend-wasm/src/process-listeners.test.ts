/**
 * tfjs-backend-wasm's Emscripten module adds process listeners that rethrow every uncaught error and unhandled
 * rejection, so that Node reported seqmodel's errors at `tf-backend-wasm.node.js` ("throw ex; ^"). After
 * `createWasmBackend` they are gone, and errors raised inside a custom gradient or a kernel on wasm keep
 * seqmodel's message and stack.
 */
import { customGradient } from '@seqmodel/backend-tfjs';
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isEmscriptenRethrow } from './process-listeners.js';
import { createWasmBackend } from './wasm-backend.js';

const events = ['uncaughtException', 'unhandledRejection'] as const;
const listeners = (event: (typeof events)[number]): unknown[] =>
  event === 'uncaughtException' ? process.listeners(event) : process.listeners(event);
const before = Object.fromEntries(events.map((e) => [e, listeners(e)]));
const backend = await createWasmBackend();

describe("tfjs-backend-wasm's rethrowing process listeners", () => {
  it('are removed: initializing the wasm module leaves the process listeners as they were', () => {
    for (const event of events) {
      expect(listeners(event)).toEqual(before[event]);
      for (const listener of listeners(event)) {
        expect(isEmscriptenRethrow(event, listener as never)).toBe(false);
      }
    }
  });

  it('are recognised by their source, and nothing else is', () => {
    // The shapes tf-backend-wasm.node.js 4.22 installs (its Emscripten glue, unminified).
    const uncaught = new Function(
      'ExitStatus',
      'return function (ex) { if (!(ex instanceof ExitStatus)) {\n                    throw ex;\n                } }',
    )(class {});
    const rejection = new Function('return function (reason) { throw reason; }')();
    expect(isEmscriptenRethrow('uncaughtException', uncaught)).toBe(true);
    expect(isEmscriptenRethrow('unhandledRejection', rejection)).toBe(true);
    expect(isEmscriptenRethrow('uncaughtException', rejection)).toBe(false);
    expect(isEmscriptenRethrow('unhandledRejection', (reason: unknown) => console.error(reason))).toBe(false);
  });
});

describe('errors raised on wasm keep their message and stack', () => {
  /** The stack's frames below the message, as written. */
  const frames = (error: unknown) =>
    ((error as Error).stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));

  it("from seqmodel's check inside a custom gradient's backward pass", () => {
    const x = backend.tensor([1, 2, 3]);
    let caught: unknown;
    try {
      backend.valueAndGrads(
        (t) =>
          backend.sum(
            customGradient(
              {
                name: 'test kernel',
                forward: ([u]) => [tf.mul(u!, 2)],
                // A gradient of the wrong shape: customGradient's own check must say so.
                backward: () => [tf.zeros([2])],
              },
              [t!],
            )[0]!,
          ),
        [x],
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SeqmodelError);
    expect((caught as Error).message).toBe(
      'test kernel backward: gradient 0: expected the shape of input 0, [3], received [2]',
    );
    // The top frames are seqmodel's: the check that raised it, then customGradient's backward hook.
    const top = frames(caught).slice(0, 2);
    expect(top[0]).toMatch(/checkGradient .*backend-tfjs[/\\]src[/\\]custom-gradient\.ts/);
    expect(top[1]).toMatch(/backend-tfjs[/\\]src[/\\]custom-gradient\.ts/);
    expect(frames(caught).join('\n')).not.toMatch(/tf-backend-wasm/);
    x.dispose();
  });

  it("from seqmodel's argument checks in a wasm op", () => {
    const x = backend.tensor([1, 2, 3]);
    const ids = backend.tensor([7], [1], 'int32');
    let caught: unknown;
    try {
      backend.gather(x, ids);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toBe('gather(indices)[0]: expected an index in [0, 2], received 7');
    expect(frames(caught)[0]).toMatch(/invalidArgument .*core[/\\]src[/\\]errors\.ts/);
    backend.dispose([x, ids]);
  });
});
