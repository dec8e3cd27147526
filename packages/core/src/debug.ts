/**
 * Debug logging for decisions a user may want to see, such as a backend falling back from its fused kernel to the
 * generic loop. Silent unless a logger is set with `setDebugLogger` or, in Node, the `SEQMODEL_DEBUG` environment
 * variable is set (to anything but an empty string or `0`).
 */

export type DebugLogger = (topic: string, message: string) => void;

let logger: DebugLogger | undefined;

function envLogger(): DebugLogger | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const flag = env?.SEQMODEL_DEBUG;
  if (flag === undefined || flag === '' || flag === '0') return undefined;
  return (topic, message) => console.debug(`[seqmodel:${topic}] ${message}`);
}

/** Routes debug messages to `next` (undefined restores the default). */
export function setDebugLogger(next: DebugLogger | undefined): void {
  logger = next;
}

export function debugLog(topic: string, message: string): void {
  (logger ?? envLogger())?.(topic, message);
}
