/**
 * tfjs-backend-wasm's Emscripten module, built for Node, adds two process listeners when it is instantiated:
 * `uncaughtException` rethrows every error (`if (!(ex instanceof ExitStatus)) throw ex`) and `unhandledRejection`
 * rethrows every rejection (`throw reason`). Node then reports any crash, seqmodel's errors included, at that line
 * of `tf-backend-wasm.node.js` ("throw ex; ^") instead of where the error was raised, and a process's own
 * `unhandledRejection` handler can no longer keep it alive. Nothing in tfjs needs them (the module never calls
 * `exit`; tfjs removes them itself when the module is disposed), so `createWasmBackend` removes them after
 * initializing the module. Errors keep their own message and stack, and Node reports them where they were thrown.
 */

type Listener = (...args: unknown[]) => void;

/** Whether `listener` is one of the Emscripten module's rethrowing process listeners (by its source). */
export function isEmscriptenRethrow(
  event: 'uncaughtException' | 'unhandledRejection',
  listener: Listener,
): boolean {
  const source = Function.prototype.toString.call(listener).replace(/\s+/g, ' ');
  return event === 'uncaughtException'
    ? /^function \(ex\) \{ if \(!\(ex instanceof ExitStatus\)\) \{ throw ex; \} \}$/.test(source)
    : /^function \(reason\) \{ throw reason; \}$/.test(source);
}

/** Removes the Emscripten module's rethrowing listeners from `process` (Node only); returns how many it removed. */
export function removeEmscriptenRethrows(): number {
  if (typeof process === 'undefined' || typeof process.listeners !== 'function') return 0;
  let removed = 0;
  // Node's typings overload `listeners` per event name; both events hold plain functions here.
  const listenersOf = (event: string) => process.listeners(event as 'uncaughtException') as Listener[];
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    for (const listener of listenersOf(event)) {
      if (isEmscriptenRethrow(event, listener)) {
        process.removeListener(event, listener);
        removed++;
      }
    }
  }
  return removed;
}
