import { describe, expect, it } from 'vitest';
import { barChart, escapeXml, formatNumber, log2Ticks, niceTicks } from './svg.js';
import { parseSvg } from './test-fixtures.js';

function count(svg: string, pattern: RegExp): number {
  return svg.match(pattern)?.length ?? 0;
}

describe('chart helpers', () => {
  it('picks 1-2-5 ticks, powers of two for ratios, short numbers', () => {
    expect(niceTicks(0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(42)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(log2Ticks(0.6, 5)).toEqual([0.5, 1, 2, 4, 8]);
    expect(log2Ticks(1.2, 1.5)).toEqual([1, 2]);
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(123456)).toBe('123k');
    expect(formatNumber(2.5e7)).toBe('25.0M');
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  });
});

describe('barChart', () => {
  const spec = {
    title: 'cpu <forward> & "train"',
    subtitle: 'GFLOP/s',
    categories: ['8x16x8x32', 'lstm\n16x32x16x64'],
    series: [
      { name: 'lstm', values: [0.5, 1.25] },
      { name: 'lstm (tfjs-layers)', color: 0, hatched: true, values: [0.25, null] },
      { name: 'mgu', values: [null, 2] },
    ],
    yLabel: 'GFLOP/s',
    referenceLines: [{ value: 2.5, label: 'matMul ceiling' }],
  };

  it('is well-formed standalone SVG with one bar per value and a marker per missing value', () => {
    const svg = barChart(spec);
    const doc = parseSvg(svg);
    expect(doc.svg.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg).not.toMatch(/<script|href="http|@import|url\(http/);
    expect(svg).toContain('font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"');
    expect(count(svg, /<rect class="bar"/g)).toBe(4);
    expect(count(svg, /class="missing"/g)).toBe(2);
    expect(count(svg, /class="reference"/g)).toBe(1);
    // The hatched series uses a pattern defined in the document itself.
    expect(svg).toContain('<pattern id="hatch-0"');
    expect(svg).toContain('fill="url(#hatch-0)"');
    expect(svg).toContain('cpu &lt;forward&gt; &amp; &quot;train&quot;');
    // Two-line category label.
    expect(svg).toMatch(/<tspan[^>]*>lstm<\/tspan><tspan[^>]*>16x32x16x64<\/tspan>/);
  });

  it('scales bars linearly from 0, and by log2 around 1 for ratios', () => {
    const heights = (svg: string) =>
      [...svg.matchAll(/<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)].map(
        (m) => ({
          y: Number(m[1]),
          h: Number(m[2]),
        }),
      );
    const linear = heights(barChart({ ...spec, referenceLines: [] }));
    // Bars in order 0.5, 0.25 (first group), 1.25, 2 (second): heights proportional to the values.
    expect(linear.map((b) => b.h / linear[0]!.h)).toEqual([1, 0.5, 2.5, 4].map((r) => expect.closeTo(r, 1)));
    // All stand on the same base line.
    expect(new Set(linear.map((b) => Math.round(b.y + b.h))).size).toBe(1);

    const ratio = barChart({
      title: 'ratio',
      categories: ['a', 'b'],
      series: [{ name: 'forward', values: [2, 0.5] }],
      yLabel: 'x',
      yScale: 'log2',
      referenceLines: [{ value: 1, label: '1x' }],
    });
    parseSvg(ratio);
    const [up, down] = heights(ratio);
    // 2x and 0.5x are equally far from the 1x line, one above it and one below.
    expect(up!.h).toBeCloseTo(down!.h, 1);
    expect(up!.y + up!.h).toBeCloseTo(down!.y, 1);
  });
});
