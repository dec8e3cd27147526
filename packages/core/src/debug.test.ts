import { afterEach, describe, expect, it, vi } from 'vitest';
import { debugLog, debugLogOnce, setDebugLogger } from './debug.js';

afterEach(() => setDebugLogger(undefined));

describe('debugLogOnce', () => {
  it('says each topic and message once to a logger, where debugLog says every one', () => {
    const lines: string[] = [];
    setDebugLogger((topic, message) => lines.push(`${topic}: ${message}`));
    debugLogOnce('fused', 'a');
    debugLogOnce('fused', 'a');
    debugLogOnce('other', 'a');
    debugLogOnce('fused', 'b');
    debugLog('fused', 'a');
    debugLog('fused', 'a');
    expect(lines).toEqual(['fused: a', 'other: a', 'fused: b', 'fused: a', 'fused: a']);
  });

  it('builds a message given as a function only when a logger listens', () => {
    const built: string[] = [];
    const message = () => {
      built.push('built');
      return 'lazy';
    };
    debugLogOnce('fused', message);
    expect(built).toEqual([]);
    const lines: string[] = [];
    setDebugLogger((topic, text) => lines.push(`${topic}: ${text}`));
    debugLogOnce('fused', message);
    debugLogOnce('fused', message);
    expect(lines).toEqual(['fused: lazy']);
    expect(built).toEqual(['built', 'built']);
  });

  it('remembers a bounded number of messages: past 1,000 it starts again', () => {
    const lines: string[] = [];
    setDebugLogger((_topic, message) => lines.push(message));
    for (let i = 0; i < 1_000; i++) debugLogOnce('t', `m${i}`);
    debugLogOnce('t', 'm0');
    expect(lines).toHaveLength(1_000);
    debugLogOnce('t', 'm1000');
    debugLogOnce('t', 'm0');
    expect(lines.slice(1_000)).toEqual(['m1000', 'm0']);
  });

  it('says nothing and remembers nothing without a logger; SEQMODEL_DEBUG then hears it', () => {
    const before = process.env.SEQMODEL_DEBUG;
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    try {
      delete process.env.SEQMODEL_DEBUG;
      debugLogOnce('t', 'unheard');
      expect(debug).not.toHaveBeenCalled();
      // No setDebugLogger in between (it would start afresh): the message was not remembered unheard.
      process.env.SEQMODEL_DEBUG = '1';
      debugLogOnce('t', 'unheard');
      debugLogOnce('t', 'unheard');
      expect(debug.mock.calls).toEqual([['[seqmodel:t] unheard']]);
    } finally {
      debug.mockRestore();
      if (before === undefined) delete process.env.SEQMODEL_DEBUG;
      else process.env.SEQMODEL_DEBUG = before;
    }
  });
});
