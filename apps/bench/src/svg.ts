/**
 * Grouped bar charts as standalone SVG: no scripts, no external fonts or styles (generic font families), so a
 * report renders offline, on GitHub and in any browser. Missing values (null) leave a gap marked "n/a".
 */

export interface BarSeries {
  readonly name: string;
  /** One value per category; null where there is none. */
  readonly values: readonly (number | null)[];
  /** Palette index (default: the series' position); series sharing a colour can differ by `hatched`. */
  readonly color?: number;
  /** Diagonal stripes instead of a solid fill (e.g. the competitor of the series of the same colour). */
  readonly hatched?: boolean;
}

export interface BarChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  /** Category labels under the groups; `\n` breaks a label into lines. */
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly yLabel: string;
  /** `log2` for ratios (1 in the middle, 2x and 0.5x equally far from it). Default linear from 0. */
  readonly yScale?: 'linear' | 'log2';
  /** Horizontal dashed lines, named in the legend: a ceiling, the 1x line. */
  readonly referenceLines?: readonly { readonly value: number; readonly label: string }[];
  /** How values are printed above bars (default 3 significant digits). */
  readonly format?: (value: number) => string;
  /** How axis ticks are printed (default: `format`). */
  readonly tickFormat?: (value: number) => string;
}

/** Colour-blind-safe palette (Okabe-Ito), in series order. */
export const palette = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A short number: 3 significant digits, no exponent for everyday magnitudes. */
export function formatNumber(x: number): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return x.toFixed(0);
  return String(Number(x.toPrecision(3)));
}

/** 1, 2 or 5 times a power of ten, covering `max` in about five steps. */
export function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t < max + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Powers of two covering [min, max] (for ratios), always including 1. */
export function log2Ticks(min: number, max: number): number[] {
  const lo = Math.min(0, Math.floor(Math.log2(min)));
  const hi = Math.max(0, Math.ceil(Math.log2(max)));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(2 ** e);
  return ticks;
}

const font = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** A generous width estimate of `text` in pixels (SVG has no text measuring without a renderer). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  return text.length * fontSize * (bold ? 0.62 : 0.58);
}

export function barChart(spec: BarChartSpec): string {
  const format = spec.format ?? formatNumber;
  const tickFormat = spec.tickFormat ?? format;
  const log = spec.yScale === 'log2';
  const values = spec.series.flatMap((s) => s.values).filter((v): v is number => v !== null && v > 0);
  const refs = spec.referenceLines ?? [];
  const all = [...values, ...refs.map((r) => r.value)];
  const ticks = log
    ? log2Ticks(Math.min(...all, 1), Math.max(...all, 1))
    : niceTicks(Math.max(...all, 0) * 1.05);
  const yMin = log ? ticks[0]! : 0;
  const yMax = ticks[ticks.length - 1]!;

  const barWidth = 16;
  const labelWidth = Math.max(
    0,
    ...spec.categories.flatMap((c) => c.split('\n').map((l) => textWidth(l, 10))),
  );
  const groupWidth = Math.max(spec.series.length * barWidth + 16, labelWidth + 10);
  const labelLines = Math.max(1, ...spec.categories.map((c) => c.split('\n').length));
  const legendNames = [
    ...spec.series.map((s) => s.name),
    ...refs.map((r) => `${r.label} (${tickFormat(r.value)})`),
  ];
  const legendWidth = 40 + Math.max(0, ...legendNames.map((n) => textWidth(n, 11)));
  // Value labels stand vertically above the bars: room for the longest one above the tallest bar.
  const valueRoom = 8 + Math.max(0, ...values.map((v) => textWidth(format(v), 9)));
  const plotHeight = 240;
  const plotWidth = Math.max(200, spec.categories.length * groupWidth);
  const titleWidth = Math.max(textWidth(spec.title, 15, true), textWidth(spec.subtitle ?? '', 11));
  const margin = {
    top: (spec.subtitle ? 58 : 40) + valueRoom,
    right: legendWidth,
    bottom: 26 + 13 * labelLines,
    left: 64,
  };
  const width = Math.ceil(Math.max(margin.left + plotWidth + margin.right, titleWidth + 24));
  const height = margin.top + plotHeight + margin.bottom;
  const y = (v: number) => {
    const f = log
      ? (Math.log2(v) - Math.log2(yMin)) / (Math.log2(yMax) - Math.log2(yMin))
      : (v - yMin) / (yMax - yMin);
    return round(margin.top + plotHeight * (1 - Math.min(1, Math.max(0, f))));
  };
  const base = log ? y(1) : y(0);
  const colorOf = (s: BarSeries, i: number) => palette[(s.color ?? i) % palette.length]!;
  const fillOf = (s: BarSeries, i: number) =>
    s.hatched ? `url(#hatch-${(s.color ?? i) % palette.length})` : colorOf(s, i);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title">`,
    `<title id="chart-title">${escapeXml(spec.title)}</title>`,
  ];
  const hatches = [
    ...new Set(spec.series.flatMap((s, i) => (s.hatched ? [(s.color ?? i) % palette.length] : []))),
  ];
  if (hatches.length > 0) {
    out.push('<defs>');
    for (const h of hatches) {
      out.push(
        `<pattern id="hatch-${h}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
          `<rect width="6" height="6" fill="#ffffff"/><rect width="3" height="6" fill="${palette[h]}"/></pattern>`,
      );
    }
    out.push('</defs>');
  }
  out.push(
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<g ${font} fill="#222222">`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
  );
  if (spec.subtitle) {
    out.push(`<text x="12" y="40" font-size="11" fill="#555555">${escapeXml(spec.subtitle)}</text>`);
  }
  // Grid and axis labels.
  out.push('<g class="axis" font-size="10" text-anchor="end">');
  for (const t of ticks) {
    const ty = y(t);
    out.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${ty}" y2="${ty}" stroke="#e6e6e6"/>`,
      `<text x="${margin.left - 6}" y="${ty + 3}">${escapeXml(tickFormat(t))}</text>`,
    );
  }
  out.push('</g>');
  out.push(
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" font-size="11" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  // Bars, their values, category labels.
  out.push('<g class="bars" font-size="9">');
  spec.categories.forEach((category, c) => {
    const groupX = margin.left + c * groupWidth + (groupWidth - spec.series.length * barWidth) / 2;
    spec.series.forEach((series, s) => {
      const v = series.values[c] ?? null;
      const x = round(groupX + s * barWidth);
      const cx = round(x + (barWidth - 2) / 2);
      if (v === null || !(v > 0)) {
        out.push(
          `<text class="missing" transform="translate(${cx + 3} ${base - 4}) rotate(-90)" fill="#999999">n/a</text>`,
        );
        return;
      }
      const top = Math.min(y(v), base);
      const h = Math.max(1, Math.abs(base - y(v)));
      out.push(
        `<rect class="bar" x="${x}" y="${top}" width="${barWidth - 2}" height="${round(h)}" fill="${fillOf(series, s)}" stroke="${colorOf(series, s)}" stroke-width="0.5">` +
          `<title>${escapeXml(`${series.name}, ${category.replace(/\n/g, ' ')}: ${format(v)}`)}</title></rect>`,
        `<text transform="translate(${cx + 3} ${top - 4}) rotate(-90)">${escapeXml(format(v))}</text>`,
      );
    });
    const labelX = round(margin.left + c * groupWidth + groupWidth / 2);
    out.push(
      `<text x="${labelX}" y="${margin.top + plotHeight + 16}" font-size="10" text-anchor="middle">` +
        category
          .split('\n')
          .map((l, i) => `<tspan x="${labelX}" dy="${i === 0 ? 0 : 13}">${escapeXml(l)}</tspan>`)
          .join('') +
        '</text>',
    );
  });
  out.push('</g>');
  // Reference lines (named in the legend), then the axes on top.
  for (const r of refs) {
    const ry = y(r.value);
    out.push(
      `<line class="reference" x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${ry}" y2="${ry}" stroke="#333333" stroke-dasharray="5 4"/>`,
    );
  }
  out.push(
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#888888"/>`,
    `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${base}" y2="${base}" stroke="#888888"/>`,
  );
  // Legend.
  out.push('<g class="legend" font-size="11">');
  const lx = margin.left + plotWidth + 16;
  spec.series.forEach((series, s) => {
    const ly = margin.top + s * 18;
    out.push(
      `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${fillOf(series, s)}" stroke="${colorOf(series, s)}"/>`,
      `<text x="${lx + 18}" y="${ly + 10}">${escapeXml(series.name)}</text>`,
    );
  });
  refs.forEach((r, i) => {
    const ly = margin.top + (spec.series.length + i) * 18 + 6;
    out.push(
      `<line x1="${lx}" x2="${lx + 12}" y1="${ly}" y2="${ly}" stroke="#333333" stroke-dasharray="3 2"/>`,
      `<text x="${lx + 18}" y="${ly + 4}">${escapeXml(`${r.label} (${tickFormat(r.value)})`)}</text>`,
    );
  });
  out.push('</g>', '</g>', '</svg>');
  return `${out.join('\n')}\n`;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
