import { createCpuBackend } from '@seqmodel/backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { availableCells } from '../cells.js';
import { DEFAULT_CONFIG, type PlaygroundConfig } from '../config.js';
import { buildTask } from '../tasks.js';
import { rowNorms, Session, sample } from './session.js';

tf.env().set('IS_TEST', true);
availableCells();

function session(overrides: Partial<PlaygroundConfig>, cells?: readonly string[]) {
  const config = { ...DEFAULT_CONFIG, backend: 'cpu' as const, ...overrides };
  return new Session(createCpuBackend(), config, buildTask(config), cells);
}

describe('a training session (what the worker runs), on the cpu backend', () => {
  it('trains: the memory probe loss falls, and nothing leaks per step', () => {
    const s = session({ units: 8, learningRate: 0.02 });
    const first = s.trainStep()[0]!;
    const before = s.backend.memory().numTensors;
    for (let i = 0; i < 39; i++) s.trainStep();
    expect(s.backend.memory().numTensors).toBe(before);
    const last = s.main.points.slice(-5).reduce((a, p) => a + p.loss, 0) / 5;
    // Binary cross-entropy near ln 2, over the 32 scored steps of 48 (Keras divides by all 48): about 0.46.
    expect(first.loss).toBeGreaterThan(0.4);
    expect(last).toBeLessThan(first.loss - 0.05);
    expect(s.step).toBe(40);
    s.dispose();
  });

  it('sees inside: states, gates and ∂L/∂h_t of every layer for the examples; attention weights; no leak', () => {
    const s = session({ task: 'copy', lag: 6, cell: 'gru', units: 6, depth: 2, attention: true });
    s.trainStep();
    const before = s.backend.memory().numTensors;
    const inside = s.inside();
    expect(s.backend.memory().numTensors).toBe(before);
    const time = s.task.steps;
    expect(inside.layers.map((l) => l.path)).toEqual(['rnn', 'rnn_1']);
    for (const layer of inside.layers) {
      expect(Object.keys(layer.gates).sort()).toEqual(['candidate', 'reset', 'update']);
      expect(layer.states.h!.shape).toEqual([4, time, 6]);
      expect(layer.gradientNorms.shape).toEqual([4, time]);
      // The loss is at the last step only: its gradient reaches h at the last step.
      expect(layer.gradientNorms.data[time - 1]).toBeGreaterThan(0);
    }
    expect(inside.attention!.shape).toEqual([4, 2, time, time]);
    // Causal attention: no weight on later steps, rows sum to 1.
    const w = inside.attention!.data;
    expect(w[1]).toBe(0);
    const row = Array.from(w.subarray(time * 3, time * 4)).reduce((a, b) => a + b, 0);
    expect(row).toBeCloseTo(1, 5);
    s.dispose();
  });

  it('connectivity: the output at step t depends on the inputs up to t only', () => {
    const s = session({ units: 8, learningRate: 0.02 });
    for (let i = 0; i < 5; i++) s.trainStep();
    const c = s.connectivity(0, 20, 3);
    expect(c.values.length).toBe(s.task.steps);
    for (let t = 21; t < s.task.steps; t++) expect(c.values[t]).toBe(0);
    expect(c.values[20]).toBeGreaterThan(0);
    s.dispose();
  });

  it('evaluates on the test set, with the accuracy at each lag for the memory probe', () => {
    const s = session({ units: 4 });
    const e = s.evaluate();
    expect(e.perLag).toHaveLength(5);
    for (const a of e.perLag!) expect(a).toBeGreaterThan(0.3);
    expect(e.loss).toBeGreaterThan(0.4);
    s.dispose();
  });

  it('moves to another backend with weights and optimizer state: training continues exactly', () => {
    const a = session({ task: 'adding', units: 5 });
    const b = session({ task: 'adding', units: 5 });
    for (let i = 0; i < 3; i++) {
      a.trainStep();
      b.trainStep();
    }
    const moved = b.moveTo(createCpuBackend());
    for (let i = 0; i < 3; i++) expect(moved.trainStep()[0]!.loss).toBe(a.trainStep()[0]!.loss);
    expect(moved.step).toBe(6);
    a.dispose();
    moved.dispose();
  });

  it('races cells on the same batches: each curve equals that cell trained alone', () => {
    const race = session({ task: 'parity', units: 4 }, ['simpleRNN', 'mgu']);
    const alone = session({ task: 'parity', units: 4, cell: 'mgu' });
    for (let i = 0; i < 4; i++) {
      const [, mgu] = race.trainStep();
      expect(mgu!.loss).toBe(alone.trainStep()[0]!.loss);
    }
    expect(race.trainees.map((t) => t.cell)).toEqual(['simpleRNN', 'mgu']);
    race.dispose();
    alone.dispose();
  });

  it('forecasts a sine wave by feeding predictions back', () => {
    const s = session({ task: 'sine', units: 4 });
    const f = s.forecast(0, 12);
    expect(f.context.length).toBe(40);
    expect(f.predicted.length).toBe(12);
    expect(f.truth.length).toBe(12);
    expect(f.predicted.every(Number.isFinite)).toBe(true);
    s.dispose();
  });
});

describe('helpers', () => {
  it('sample: temperature 0 takes the most likely; otherwise draws by the sharpened probabilities', () => {
    expect(sample([0.1, 0.7, 0.2], 0, 0.99)).toBe(1);
    // With temperature 1 the cumulative probabilities are 0.1, 0.8, 1.
    expect(sample([0.1, 0.7, 0.2], 1, 0.05)).toBe(0);
    expect(sample([0.1, 0.7, 0.2], 1, 0.5)).toBe(1);
    expect(sample([0.1, 0.7, 0.2], 1, 0.95)).toBe(2);
  });

  it('rowNorms: L2 norms over the last axis', () => {
    const n = rowNorms({ data: Float32Array.from([3, 4, 0, 0, 1, 0]), shape: [1, 3, 2] });
    expect(Array.from(n.data)).toEqual([5, 0, 1]);
    expect(n.shape).toEqual([1, 3]);
  });
});
