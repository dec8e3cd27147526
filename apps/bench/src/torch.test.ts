import { expect, it } from 'vitest';
import { benchCell } from './cells.js';
import { runTorchCase, torchAvailability, torchPython } from './torch.js';
import { benchData } from './weights.js';

const python = torchPython();
const availability = torchAvailability(python);
const size = { batch: 3, time: 4, inputSize: 2, units: 5 };
const settings = {
  python,
  threads: 1,
  modes: ['forward', 'train'] as const,
  warmup: 1,
  repeats: 2,
  minTimeMs: 0,
};

it('says why PyTorch cannot run, in one line, when the Python has no torch', () => {
  const missing = torchAvailability('/nonexistent/python3');
  expect('reason' in missing && missing.reason).toMatch(
    /^no Python with torch at \/nonexistent\/python3 \([^\n]*\); install/,
  );
});

it.skipIf('reason' in availability)(
  `PyTorch computes the bench's LSTM and GRU (resetAfter) on its weights as core's float64 reference does${'reason' in availability ? ` (skipped: ${availability.reason})` : ''}`,
  () => {
    for (const key of ['lstm', 'gruResetAfter', 'simpleRNN']) {
      const cell = benchCell(key);
      const cases = runTorchCase(cell, size, benchData(cell, size, 7), {
        ...settings,
        modes: [...settings.modes],
      });
      if ('unavailable' in cases) throw new Error(cases.unavailable);
      expect(cases.map((c) => c.mode)).toEqual(['forward', 'train']);
      for (const c of cases) {
        // float32 against float64 over 4 steps; a wrong gate order or bias is off by 1e-2 or more.
        expect(c.forwardMaxError, key).toBeLessThan(1e-5);
        expect(c.samplesMs.length).toBeGreaterThanOrEqual(2);
      }
    }
    const gru = benchCell('gru');
    expect(runTorchCase(gru, size, benchData(gru, size, 7), { ...settings, modes: ['forward'] })).toEqual({
      unavailable:
        "PyTorch has no layer equal to the bench's gru cell (nn.GRU is the resetAfter variant: compare --cells gruResetAfter)",
    });
  },
  120_000,
);
