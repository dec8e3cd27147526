import { describe, expect, it } from 'vitest';
import { createProgress, EtaEstimator, formatDuration } from './progress.js';
import { fakeCase } from './test-fixtures.js';

const plan = [
  { backend: 'cpu', label: 'cpu lstm a forward', weight: 1 },
  { backend: 'cpu', label: 'cpu lstm a train', weight: 3 },
  { backend: 'wasm', label: 'wasm lstm a forward', weight: 1 },
  { backend: 'wasm', label: 'wasm lstm a train', weight: 3 },
];

describe('ETA', () => {
  it('weighs the remaining work with the rate of its own backend, else the overall rate', () => {
    const eta = new EtaEstimator(plan);
    expect(eta.remainingMs()).toBeUndefined();
    eta.record(0, 100); // cpu: 100 ms per unit of work
    expect(eta.remainingMs()).toBe(3 * 100 + 1 * 100 + 3 * 100);
    eta.record(1, 300);
    eta.record(2, 10); // wasm: 10 ms per unit
    expect(eta.remainingMs()).toBe(3 * 10);
    eta.record(3, 30);
    expect(eta.remainingMs()).toBe(0);
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42_400)).toBe('42s');
    expect(formatDuration(65_000)).toBe('1m05s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
});

describe('progress display', () => {
  function drive(tty: boolean) {
    const written: string[] = [];
    let clock = 0;
    const progress = createProgress({
      write: (t) => written.push(t),
      tty,
      columns: () => 60,
      now: () => clock,
    });
    progress.plan(plan.slice(0, 2));
    progress.note('backend cpu: ready');
    progress.caseStarted(0);
    progress.tick();
    clock = 1000;
    progress.caseDone(0, fakeCase({ seqmodel: [10, 11, 12], layers: [20, 22, 24] }));
    progress.caseStarted(1);
    progress.caseDone(1, fakeCase({ seqmodel: [5], mode: 'train' }));
    progress.finish();
    return written;
  }

  it('prints plain lines, one per finished case, when not a terminal', () => {
    const lines = drive(false).join('').split('\n');
    expect(lines[0]).toBe('backend cpu: ready');
    expect(lines[1]).toBe(
      '[1/2] cpu lstm a forward: seqmodel 11.0 ms, tfjs-layers 22.0 ms (seqmodel 2.00x) · elapsed 1s, ETA 3s',
    );
    expect(lines[2]).toMatch(
      /^\[2\/2\] cpu lstm a train: seqmodel 5.00 ms, tfjs-layers n\/a · elapsed 1s, ETA 0s$/,
    );
    expect(drive(false).join('')).not.toContain('\r');
  });

  it('rewrites one status line in a terminal, kept within its width, and clears it at the end', () => {
    const written = drive(true);
    const status = written.filter((t) => t.startsWith('\r\x1b[2K') && t.length > 6);
    expect(status.length).toBeGreaterThan(2);
    for (const s of status) expect(s.length - 6).toBeLessThanOrEqual(59);
    expect(status).toContain('\r\x1b[2K[1/2] elapsed 0s · cpu lstm a forward, run 1');
    expect(status).toContain('\r\x1b[2K[2/2] elapsed 1s, ETA 3s · cpu lstm a train, run 0');
    expect(written).toContain('backend cpu: ready\n');
    expect(written[written.length - 1]).toBe('\r\x1b[2K');
  });
});
