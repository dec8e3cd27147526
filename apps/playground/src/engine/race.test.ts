/**
 * The playground's headline, checked with its default settings: in the race on the memory probe a simple RNN's
 * gradient vanishes through time and its memory falls to chance at the longest lag, while an LSTM's does not. On
 * wasm, the backend the page falls back to, in Node.
 */
import { createWasmBackend } from '@seqmodel/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { availableCells } from '../cells.js';
import { DEFAULT_CONFIG } from '../config.js';
import { buildTask } from '../tasks.js';
import { Session } from './session.js';

// tfjs's IS_TEST leak check misfires on wasm for every custom gradient that saves a tensor (see DEVELOPERS.md);
// the test counts tensors itself.
tf.env().set('IS_TEST', false);
availableCells();

it('the default race: the simple RNN forgets past a few steps and its gradient vanishes; the LSTM remembers', async () => {
  const backend = await createWasmBackend();
  const config = { ...DEFAULT_CONFIG, backend: 'wasm' as const };
  const race = new Session(backend, config, buildTask(config), ['simpleRNN', 'lstm']);
  for (let i = 0; i < 600; i++) race.trainStep();
  const [rnn, lstm] = race.trainees.map((t) => {
    const perLag = race.evaluate(t).perLag!;
    const norms = race.gradientNorms(t);
    // ‖∂L/∂h_0‖ / ‖∂L/∂h_T‖: how much of the loss's gradient reaches the first step.
    return { perLag, reach: norms[0]! / norms[norms.length - 1]! };
  });
  expect(race.task.lags).toEqual([1, 2, 4, 8, 16]);
  // Both recall the near past; at lag 16 the RNN guesses (chance is 0.5) and the LSTM is well above it.
  expect(Math.min(...rnn!.perLag.slice(0, 3))).toBeGreaterThan(0.95);
  expect(Math.min(...lstm!.perLag.slice(0, 3))).toBeGreaterThan(0.95);
  expect(rnn!.perLag[4]!).toBeLessThan(0.6);
  expect(lstm!.perLag[4]!).toBeGreaterThan(rnn!.perLag[4]! + 0.15);
  // Over the 48 steps the RNN passes back about a hundred-thousandth; the LSTM hundreds of times more.
  expect(rnn!.reach).toBeLessThan(1e-4);
  expect(lstm!.reach).toBeGreaterThan(100 * rnn!.reach);
  race.dispose();
  expect(backend.memory().numTensors).toBe(0);
}, 300_000);
