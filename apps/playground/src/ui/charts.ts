/**
 * Light charts: line charts in SVG and heatmaps on a canvas, each with a text alternative (a table under a
 * `<details>`) and an `aria-label` that says what it shows. Heatmaps have a time cursor moved with the keyboard.
 */
import { alternative, el, format, replace, svg, table } from './dom.js';

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logY?: boolean;
  readonly yMin?: number;
  readonly yMax?: number;
  /** A horizontal reference line (a baseline to beat). */
  readonly reference?: { readonly value: number; readonly label: string };
  readonly height?: number;
  /** Rows of the table alternative (sampled evenly over the x range); 0 leaves it out (the owner gives a better one). */
  readonly tableRows?: number;
}

const WIDTH = 560;
const MARGIN = { left: 52, right: 12, top: 10, bottom: 30 };

/** At most `n` indices spread evenly over `[0, length)`, the last one included. */
function spread(length: number, n: number): number[] {
  if (length <= n) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - 1)) / (n - 1)));
}

export class LineChart {
  readonly element: HTMLElement;
  private readonly plot: SVGSVGElement;
  private readonly tableHolder: HTMLElement;
  private readonly legend: HTMLElement;

  constructor(private readonly options: LineChartOptions) {
    const height = options.height ?? 200;
    this.plot = svg('svg', {
      viewBox: `0 0 ${WIDTH} ${height}`,
      role: 'img',
      'aria-label': options.title,
      class: 'chart',
    });
    this.tableHolder = el('div');
    this.legend = el('div', { class: 'legend' });
    this.element = el(
      'figure',
      { class: 'line-chart' },
      el('figcaption', {}, options.title),
      this.plot,
      this.legend,
      options.tableRows === 0 ? null : alternative(`${options.title}: as a table`, this.tableHolder),
    );
    this.update([]);
  }

  update(series: readonly Series[]): void {
    const { logY = false } = this.options;
    const height = this.options.height ?? 200;
    const innerW = WIDTH - MARGIN.left - MARGIN.right;
    const innerH = height - MARGIN.top - MARGIN.bottom;
    const transform = (v: number) => (logY ? Math.log10(Math.max(v, 1e-12)) : v);
    let xMin = Number.POSITIVE_INFINITY;
    let xMax = Number.NEGATIVE_INFINITY;
    let yMin = Number.POSITIVE_INFINITY;
    let yMax = Number.NEGATIVE_INFINITY;
    for (const s of series) {
      for (let i = 0; i < s.x.length; i++) {
        const y = s.y[i]!;
        if (!Number.isFinite(y) || (logY && y <= 0)) continue;
        xMin = Math.min(xMin, s.x[i]!);
        xMax = Math.max(xMax, s.x[i]!);
        yMin = Math.min(yMin, transform(y));
        yMax = Math.max(yMax, transform(y));
      }
    }
    const reference = this.options.reference;
    if (reference !== undefined && Number.isFinite(yMin)) {
      yMin = Math.min(yMin, transform(reference.value));
      yMax = Math.max(yMax, transform(reference.value));
    }
    if (this.options.yMin !== undefined) yMin = transform(this.options.yMin);
    if (this.options.yMax !== undefined) yMax = transform(this.options.yMax);
    const empty = !Number.isFinite(xMin) || !Number.isFinite(yMin);
    if (empty) {
      xMin = 0;
      xMax = 1;
      yMin = 0;
      yMax = 1;
    }
    if (xMax === xMin) xMax = xMin + 1;
    if (yMax === yMin) {
      yMax += 0.5;
      yMin -= 0.5;
    }
    const px = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * innerW;
    const py = (y: number) => MARGIN.top + (1 - (transform(y) - yMin) / (yMax - yMin)) * innerH;
    const children: SVGElement[] = [];
    // Axes with a few ticks.
    children.push(
      svg('line', {
        x1: MARGIN.left,
        y1: MARGIN.top + innerH,
        x2: MARGIN.left + innerW,
        y2: MARGIN.top + innerH,
        class: 'axis',
      }),
      svg('line', {
        x1: MARGIN.left,
        y1: MARGIN.top,
        x2: MARGIN.left,
        y2: MARGIN.top + innerH,
        class: 'axis',
      }),
    );
    for (let k = 0; k <= 4; k++) {
      const v = yMin + ((yMax - yMin) * k) / 4;
      const y = MARGIN.top + (1 - k / 4) * innerH;
      const label = format(logY ? 10 ** v : v, 3);
      children.push(
        svg('line', { x1: MARGIN.left, y1: y, x2: MARGIN.left + innerW, y2: y, class: 'grid' }),
        svg('text', { x: MARGIN.left - 4, y: y + 4, 'text-anchor': 'end', class: 'tick' }, label),
      );
      const xv = xMin + ((xMax - xMin) * k) / 4;
      children.push(
        svg('text', { x: px(xv), y: height - 14, 'text-anchor': 'middle', class: 'tick' }, format(xv, 3)),
      );
    }
    children.push(
      svg(
        'text',
        { x: MARGIN.left + innerW / 2, y: height - 2, 'text-anchor': 'middle', class: 'label' },
        this.options.xLabel,
      ),
      svg(
        'text',
        {
          x: 10,
          y: MARGIN.top + innerH / 2,
          transform: `rotate(-90 10 ${MARGIN.top + innerH / 2})`,
          'text-anchor': 'middle',
          class: 'label',
        },
        this.options.yLabel,
      ),
    );
    if (reference !== undefined && !empty) {
      const y = py(reference.value);
      children.push(
        svg('line', { x1: MARGIN.left, y1: y, x2: MARGIN.left + innerW, y2: y, class: 'reference' }),
        svg(
          'text',
          { x: MARGIN.left + innerW - 2, y: y - 3, 'text-anchor': 'end', class: 'tick' },
          reference.label,
        ),
      );
    }
    for (const s of series) {
      const idx = spread(s.x.length, 600);
      const d = idx
        .filter((i) => Number.isFinite(s.y[i]!) && (!logY || s.y[i]! > 0))
        .map((i, k) => `${k === 0 ? 'M' : 'L'}${px(s.x[i]!).toFixed(1)},${py(s.y[i]!).toFixed(1)}`)
        .join('');
      children.push(
        svg('path', {
          d,
          fill: 'none',
          stroke: s.color,
          'stroke-width': 1.8,
          ...(s.dashed ? { 'stroke-dasharray': '5 3' } : {}),
          'data-series': s.name,
        }),
      );
    }
    replace(this.plot, ...children);
    replace(
      this.legend,
      ...series.map((s) =>
        el('span', { class: 'key' }, el('span', { class: 'swatch', style: `background:${s.color}` }), s.name),
      ),
    );
    this.renderTable(series);
  }

  private renderTable(series: readonly Series[]): void {
    if (this.options.tableRows === 0) return;
    const longest = series.reduce(
      (a, s) => (s.x.length > a.x.length ? s : a),
      series[0] ?? ({ x: [], y: [] } as unknown as Series),
    );
    const rows = spread(longest.x.length, this.options.tableRows ?? 12).map((i) => {
      const x = longest.x[i]!;
      return [
        format(x),
        ...series.map((s) => {
          const j = nearestIndex(s.x, x);
          return j < 0 ? '' : format(s.y[j]!);
        }),
      ];
    });
    replace(
      this.tableHolder,
      table(this.options.title, [this.options.xLabel, ...series.map((s) => s.name)], rows),
    );
  }
}

function nearestIndex(xs: ArrayLike<number>, x: number): number {
  let best = -1;
  let distance = Number.POSITIVE_INFINITY;
  for (let i = 0; i < xs.length; i++) {
    const d = Math.abs(xs[i]! - x);
    if (d < distance) {
      distance = d;
      best = i;
    }
  }
  return best;
}

/** How values map to colours: diverging around 0, sequential from 0 to 1, or log10 of magnitudes. */
export type ColorScale = 'diverging' | 'unit' | 'log';

function mix(a: readonly number[], b: readonly number[], t: number): string {
  const c = a.map((v, i) => Math.round(v + (b[i]! - v) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

const WHITE = [247, 247, 247];
const BLUE = [33, 102, 172];
const RED = [178, 24, 43];
const PURPLE = [63, 0, 125];

export function colorOf(scale: ColorScale, value: number, range: readonly [number, number]): string {
  if (!Number.isFinite(value)) return 'rgb(0,0,0)';
  if (scale === 'diverging') {
    const m = Math.max(Math.abs(range[0]), Math.abs(range[1]), 1e-12);
    const t = Math.max(-1, Math.min(1, value / m));
    return t < 0 ? mix(WHITE, BLUE, -t) : mix(WHITE, RED, t);
  }
  const [lo, hi] = range;
  const v = scale === 'log' ? Math.log10(Math.max(value, 1e-12)) : value;
  const t = hi === lo ? 0 : Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
  return mix(WHITE, PURPLE, t);
}

export interface HeatmapOptions {
  readonly title: string;
  /** What a row is (`unit`, `head`) and what a column is (`step`). */
  readonly rowLabel: string;
  readonly columnLabel: string;
  readonly scale: ColorScale;
  /** Labels of the columns (input symbols), shown under the map when short. */
  readonly columnNames?: readonly string[];
  /** Called when the cursor moves, with the new column. */
  readonly onCursor?: (column: number) => void;
}

/**
 * A rows × columns heatmap (units × time steps) with a column cursor: ←/→ move it one step, Home/End to the ends,
 * PageUp/PageDown by ten. The values at the cursor are read out and listed in the table alternative.
 */
export class Heatmap {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly readout: HTMLElement;
  private readonly tableHolder: HTMLElement;
  private readonly names: HTMLElement;
  private data: Float32Array = new Float32Array(0);
  private rows = 0;
  private columns = 0;
  private range: [number, number] = [0, 1];
  cursor = 0;

  constructor(private readonly options: HeatmapOptions) {
    this.canvas = el('canvas', { width: 560, height: 160, class: 'heatmap', 'aria-hidden': 'true' });
    this.readout = el('p', { class: 'readout', 'aria-live': 'polite' });
    this.tableHolder = el('div');
    this.names = el('div', { class: 'column-names' });
    const focusable = el(
      'div',
      {
        class: 'heatmap-frame',
        tabindex: 0,
        role: 'slider',
        'aria-label': `${options.title}: ${options.rowLabel}s by ${options.columnLabel}; arrow keys move the ${options.columnLabel}`,
        'aria-valuemin': 0,
        'aria-valuenow': 0,
        onkeydown: ((event: KeyboardEvent) => this.onKey(event)) as EventListener,
        onclick: ((event: MouseEvent) => this.onClick(event)) as EventListener,
      },
      this.canvas,
    );
    this.element = el(
      'figure',
      { class: 'heatmap-figure' },
      el('figcaption', {}, options.title),
      focusable,
      this.names,
      this.readout,
      alternative(`${options.title}: values at the cursor`, this.tableHolder),
    );
  }

  get frame(): HTMLElement {
    return this.canvas.parentElement!;
  }

  /** `data` is rows × columns, row-major. */
  update(data: Float32Array, rows: number, columns: number, range?: [number, number]): void {
    this.data = data;
    this.rows = rows;
    this.columns = columns;
    this.range = range ?? autoRange(this.options.scale, data);
    this.cursor = Math.min(this.cursor, Math.max(0, columns - 1));
    this.frame.setAttribute('aria-valuemax', String(Math.max(0, columns - 1)));
    const names = this.options.columnNames;
    replace(
      this.names,
      ...(names !== undefined && columns <= 80 ? names.slice(0, columns).map((n) => el('span', {}, n)) : []),
    );
    this.draw();
  }

  setColumnNames(names: readonly string[] | undefined): void {
    (this.options as { columnNames?: readonly string[] }).columnNames = names;
  }

  private draw(): void {
    const { canvas, rows, columns } = this;
    const cellH = Math.max(2, Math.min(12, Math.floor(220 / Math.max(rows, 1))));
    canvas.height = Math.max(20, rows * cellH);
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    const cellW = canvas.width / Math.max(columns, 1);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        ctx.fillStyle = colorOf(this.options.scale, this.data[r * columns + c]!, this.range);
        ctx.fillRect(Math.floor(c * cellW), r * cellH, Math.ceil(cellW), cellH);
      }
    }
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2;
    ctx.strokeRect(this.cursor * cellW + 1, 1, Math.max(cellW - 2, 1), rows * cellH - 2);
    this.frame.setAttribute('aria-valuenow', String(this.cursor));
    this.describe();
  }

  private column(): number[] {
    return Array.from({ length: this.rows }, (_, r) => this.data[r * this.columns + this.cursor]!);
  }

  private describe(): void {
    const values = this.column();
    const name = this.options.columnNames?.[this.cursor];
    const shown = values
      .slice(0, 8)
      .map((v) => format(v, 3))
      .join(', ');
    this.readout.textContent =
      values.length === 0
        ? ''
        : `${this.options.columnLabel} ${this.cursor}${name === undefined ? '' : ` (${name})`}: ${shown}${values.length > 8 ? `, … (${values.length} ${this.options.rowLabel}s)` : ''}`;
    replace(
      this.tableHolder,
      table(
        `${this.options.title} at ${this.options.columnLabel} ${this.cursor}`,
        [this.options.rowLabel, 'value'],
        values.map((v, r) => [r, v]),
      ),
    );
  }

  moveTo(column: number): void {
    const next = Math.max(0, Math.min(this.columns - 1, column));
    if (next === this.cursor) return;
    this.cursor = next;
    this.draw();
    this.options.onCursor?.(next);
  }

  private onKey(event: KeyboardEvent): void {
    const moves: Record<string, number> = {
      ArrowRight: this.cursor + 1,
      ArrowLeft: this.cursor - 1,
      Home: 0,
      End: this.columns - 1,
      PageDown: this.cursor + 10,
      PageUp: this.cursor - 10,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    this.moveTo(target);
  }

  private onClick(event: MouseEvent): void {
    const box = this.canvas.getBoundingClientRect();
    this.moveTo(Math.floor(((event.clientX - box.left) / box.width) * this.columns));
  }
}

function autoRange(scale: ColorScale, data: Float32Array): [number, number] {
  if (scale === 'unit') return [0, 1];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of data) {
    const x = scale === 'log' ? Math.log10(Math.max(v, 1e-12)) : v;
    if (!Number.isFinite(x)) continue;
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (scale === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-6);
    return [-m, m];
  }
  return [lo, hi];
}
