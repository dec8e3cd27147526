/**
 * Debug logging for decisions a user may want to see, such as a backend falling back from its fused kernel to the
 * generic loop. Silent unless a logger is set with `setDebugLogger` or, in Node, the `SEQMODEL_DEBUG` environment
 * variable is set (to anything but an empty string or `0`).
 */

export type DebugLogger = (topic: string, message: string) => void;

let logger: DebugLogger | undefined;

/**
 * What `debugLogOnce` has said to the current logger, as `topic\nmessage`; forgotten when the logger changes. With
 * `SEQMODEL_DEBUG` and no logger set, that is once per process (test files sharing one process included).
 */
const said = new Set<string>();
/** The most messages `said` remembers: past it, it starts again (a message may then be said a second time). */
const saidLimit = 1_000;

function envLogger(): DebugLogger | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const flag = env?.SEQMODEL_DEBUG;
  if (flag === undefined || flag === '' || flag === '0') return undefined;
  return (topic, message) => console.debug(`[seqmodel:${topic}] ${message}`);
}

/** Routes debug messages to `next` (undefined restores the default); `debugLogOnce` says its messages to it afresh. */
export function setDebugLogger(next: DebugLogger | undefined): void {
  logger = next;
  said.clear();
}

export function debugLog(topic: string, message: string): void {
  (logger ?? envLogger())?.(topic, message);
}

/**
 * `debugLog` for a decision made again on every call with the same outcome (a fused kernel declining the same
 * arguments at every step of a training loop): each distinct topic and message is said once to a logger, not once a
 * call.
 */
export function debugLogOnce(topic: string, message: string | (() => string)): void {
  const target = logger ?? envLogger();
  if (target === undefined) return;
  // A function is called only when someone listens: a caller on a hot path builds no message for no one.
  const text = typeof message === 'function' ? message() : message;
  const key = `${topic}\n${text}`;
  if (said.has(key)) return;
  if (said.size >= saidLimit) said.clear();
  said.add(key);
  target(topic, text);
}
