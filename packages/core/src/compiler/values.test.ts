import { describe, expect, it } from 'vitest';
import { ExprGraph } from './values.js';

describe('ExprGraph constants', () => {
  it('keeps ±Infinity, NaN, -0 and 0 apart, and every NaN as one constant', () => {
    const g = new ExprGraph();
    const ids = [Infinity, -Infinity, Number.NaN, -0, 0].map((v) => g.const(v));
    expect(new Set(ids).size).toBe(5);
    expect(g.const(Number.NaN)).toBe(ids[2]);
    expect(g.constant(ids[0]!)).toBe(Infinity);
    expect(Object.is(g.constant(ids[3]!), -0)).toBe(true);
  });

  it('rounds constants to float32, as tfjs does when a number in a step becomes a tensor', () => {
    const g = new ExprGraph();
    expect(g.constant(g.const(0.1))).toBe(Math.fround(0.1));
    expect(g.const(0.1)).toBe(g.const(Math.fround(0.1)));
  });

  it('rounds clip bounds to float32 too, so a clipped value equals the constant of its bound', () => {
    const g = new ExprGraph();
    const clipped = g.node(g.clip(g.read(0, 0), -0.1, 0.1)) as { min: number; max: number };
    expect([clipped.min, clipped.max]).toEqual([Math.fround(-0.1), Math.fround(0.1)]);
    expect(g.constant(g.clip(g.const(1), -0.1, 0.1))).toBe(g.constant(g.const(0.1)));
  });

  it('folds operations on ±Infinity without turning them into null or 0', () => {
    const g = new ExprGraph();
    const x = g.read(0, 0);
    // min(max(x, -∞), ∞) is not min(x, -∞).
    const clipped = g.binary('minimum', g.binary('maximum', x, g.const(-Infinity)), g.const(Infinity));
    const node = g.node(clipped);
    expect(node.op).toBe('minimum');
    expect(g.constant((node as { b: number }).b)).toBe(Infinity);
  });
});

describe('ExprGraph folds', () => {
  it('folds 0 − x to −x and x − 0 to x only where that holds for ±0 (+0 − (+0) is +0, −(+0) is −0)', () => {
    const g = new ExprGraph();
    const x = g.read(0, 0);
    const fromPlusZero = g.node(g.binary('sub', g.const(0), x));
    expect(fromPlusZero.op).toBe('sub');
    const fromMinusZero = g.node(g.binary('sub', g.const(-0), x));
    expect(fromMinusZero).toMatchObject({ op: 'neg' });
    // x − (+0) is x for every x (−0 − 0 is −0); x − (−0) is +0 at x = −0.
    expect(g.binary('sub', x, g.const(0))).toBe(x);
    expect(g.node(g.binary('sub', x, g.const(-0))).op).toBe('sub');
  });
});
