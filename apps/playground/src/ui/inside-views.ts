/**
 * The views inside the model, drawn from the tensors the worker reads out of the model being trained: the data,
 * the hidden state over time, the gates, the gradient norm through time, Distill's connectivity and attention.
 */
import type { Connectivity, ExampleView, Inside, LayerInside, ModelReady } from '../engine/protocol.js';
import { Heatmap, type HeatmapOptions, LineChart, type Series } from './charts.js';
import { selectControl } from './controls.js';
import { alternative, el, format, replace, table } from './dom.js';

export const COLORS = ['#1b6ca8', '#d1495b', '#2e933c', '#8f5bb5', '#e08e0b', '#555'];

/** The example and layer the inside views show, shared by them. */
export class Focus {
  example = 0;
  layer = 0;
  private readonly listeners: (() => void)[] = [];

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  set(example: number, layer: number): void {
    this.example = example;
    this.layer = layer;
    for (const l of this.listeners) l();
  }
}

/** Symbols of an example's input steps, for column names and readouts. */
export function stepNames(example: ExampleView | undefined): string[] | undefined {
  if (example === undefined) return undefined;
  if (example.inputText !== undefined) return [...example.inputText];
  const [time, features] = example.inputs.shape as [number, number | undefined];
  const f = features ?? 1;
  return Array.from({ length: time }, (_, t) =>
    Array.from(example.inputs.data.subarray(t * f, (t + 1) * f), (v) => format(v, 2)).join('/'),
  );
}

/** `[examples, time, size]` → the rows × columns (size × time) matrix of one example. */
export function unitsByTime(data: Float32Array, shape: readonly number[], example: number): Float32Array {
  const [, time, size] = shape as [number, number, number];
  const out = new Float32Array(size * time);
  for (let t = 0; t < time; t++) {
    for (let j = 0; j < size; j++) out[j * time + t] = data[(example * time + t) * size + j]!;
  }
  return out;
}

/** Example and layer pickers. */
export function focusControls(
  prefix: string,
  focus: Focus,
  model: ModelReady | undefined,
  inside: Inside | undefined,
): HTMLElement {
  const examples = model?.examples.length ?? 0;
  const layers = inside?.layers ?? [];
  const example = selectControl(
    `${prefix}-example`,
    'Example',
    Array.from({ length: examples }, (_, i) => [String(i), `#${i + 1}`] as const),
    (v) => focus.set(Number(v), focus.layer),
  );
  example.set(String(focus.example));
  const layer = selectControl(
    `${prefix}-layer`,
    'Layer',
    layers.map((l, i) => [String(i), `${l.path} (${l.cell})`] as const),
    (v) => focus.set(focus.example, Number(v)),
  );
  layer.set(String(focus.layer));
  return el('div', { class: 'row' }, example.element, layers.length > 1 ? layer.element : null);
}

export class DataPreview {
  readonly element = el('div', { class: 'view' });

  render(model: ModelReady): void {
    const examples = model.examples.slice(0, 3);
    const blocks = examples.map((ex, i) => {
      const title = `Example ${i + 1}`;
      if (ex.inputText !== undefined) {
        const inputs = ex.inputText.slice(0, ex.length).join('');
        const targets = ex.targetText?.slice(0, ex.length).join('') ?? targetSummary(ex, model.lags);
        return el(
          'div',
          { class: 'example' },
          el('h4', {}, title),
          el('p', {}, el('span', { class: 'muted' }, 'input  '), el('code', { class: 'tokens' }, inputs)),
          el('p', {}, el('span', { class: 'muted' }, 'target '), el('code', { class: 'tokens' }, targets)),
        );
      }
      const [time, features] = ex.inputs.shape as [number, number];
      if (features === 1 && ex.inputs.data.every((v) => v === 0 || v === 1)) {
        // Bits read best as bits.
        return el(
          'div',
          { class: 'example' },
          el('h4', {}, title),
          el(
            'p',
            {},
            el('span', { class: 'muted' }, 'input bits  '),
            el('code', { class: 'tokens' }, Array.from(ex.inputs.data).join('')),
          ),
          el(
            'p',
            {},
            el('span', { class: 'muted' }, 'target'),
            el('pre', { class: 'tokens' }, targetSummary(ex, model.lags)),
          ),
        );
      }
      const series: Series[] = Array.from({ length: features }, (_, f) => ({
        name: features === 2 ? (f === 0 ? 'value' : 'marker') : 'input',
        color: COLORS[f]!,
        x: Array.from({ length: time }, (_, t) => t),
        y: Array.from({ length: time }, (_, t) => ex.inputs.data[t * features + f]!),
      }));
      const chart = new LineChart({
        title: `${title}: inputs over time`,
        xLabel: 'step',
        yLabel: 'value',
        height: 150,
        tableRows: Math.min(time, 24),
      });
      chart.update(series);
      return el(
        'div',
        { class: 'example' },
        chart.element,
        el('p', {}, el('span', { class: 'muted' }, 'target: '), targetSummary(ex)),
      );
    });
    replace(
      this.element,
      el('p', {}, model.about),
      el(
        'p',
        { class: 'muted' },
        `Baseline to beat: ${model.baseline.label} ${format(model.baseline.value)}.`,
      ),
      ...blocks,
    );
  }
}

function targetSummary(ex: ExampleView, lags?: readonly number[]): string {
  if (ex.targets === undefined) return '';
  const [time, width] = ex.targets.shape as [number, number | undefined];
  if (lags !== undefined && width === lags.length) {
    // One line per lag: the bit the model must recall there (· before the lag reaches the start).
    return lags
      .map(
        (lag, k) =>
          `lag ${lag}: ${Array.from({ length: time }, (_, t) => (t < lag ? '·' : String(ex.targets!.data[t * width + k]))).join('')}`,
      )
      .join('\n');
  }
  const values = Array.from(ex.targets.data.slice(0, 40), (v) => format(v, 3));
  return `${values.join(' ')}${ex.targets.data.length > 40 ? ' …' : ''} (shape ${ex.targets.shape.join('×')})`;
}

/** Units × time heatmaps that share one time cursor: moving it in one map moves it in all. */
abstract class ScrubbedMaps {
  readonly element = el('div', { class: 'view' });
  private readonly maps = new Map<string, Heatmap>();
  private cursor = 0;

  constructor(protected readonly focus: Focus) {}

  /** The map kept under `key` (made on first use), showing the focused example's `g` with step names `names`. */
  protected map(
    key: string,
    options: Omit<HeatmapOptions, 'onCursor'>,
    g: { readonly data: Float32Array; readonly shape: readonly number[] },
    names: readonly string[] | undefined,
    range?: [number, number],
  ): HTMLElement {
    let map = this.maps.get(key);
    if (map === undefined) {
      map = new Heatmap({ ...options, onCursor: (c) => this.syncCursor(c) });
      this.maps.set(key, map);
    }
    map.setColumnNames(names);
    map.cursor = this.cursor;
    map.update(unitsByTime(g.data, g.shape, this.focus.example), g.shape[2]!, g.shape[1]!, range);
    return map.element;
  }

  private syncCursor(column: number): void {
    this.cursor = column;
    for (const map of this.maps.values()) if (map.cursor !== column) map.moveTo(column);
  }
}

/** The hidden state (and cell state) of the focused layer and example, units × time, scrubbable. */
export class HiddenView extends ScrubbedMaps {
  render(model: ModelReady | undefined, inside: Inside | undefined): void {
    const layer = inside?.layers[this.focus.layer];
    if (model === undefined || inside === undefined || layer === undefined) {
      replace(this.element, el('p', { class: 'muted' }, 'Train a step to see inside the model.'));
      return;
    }
    const names = stepNames(model.examples[this.focus.example]);
    const controls = focusControls('hidden', this.focus, model, inside);
    const figures = Object.entries(layer.states).map(([state, g]) =>
      this.map(
        `${this.focus.layer}:${state}`,
        {
          title: state === 'c' ? 'Cell state c over time' : 'Hidden state h over time',
          rowLabel: 'unit',
          columnLabel: 'step',
          scale: 'diverging',
        },
        g,
        names,
      ),
    );
    replace(
      this.element,
      controls,
      el(
        'p',
        { class: 'muted' },
        `Step ${inside.step}. Focus a map and use ← → (Home, End, Page Up/Down) to move through time.`,
      ),
      ...figures,
    );
  }
}

/** Gate activations of the focused layer per step, as real values. */
export class GatesView extends ScrubbedMaps {
  render(model: ModelReady | undefined, inside: Inside | undefined): void {
    const layer = inside?.layers[this.focus.layer];
    if (model === undefined || inside === undefined || layer === undefined) {
      replace(this.element, el('p', { class: 'muted' }, 'Train a step to see the gates.'));
      return;
    }
    const gates = Object.entries(layer.gates);
    if (gates.length === 0) {
      replace(
        this.element,
        focusControls('gates', this.focus, model, inside),
        el(
          'p',
          {},
          `The ${layer.cell} cell has no gates: h_t = tanh(x_t·W + h_{t−1}·U + b) is all it computes. Its state is in the hidden-state view.`,
        ),
      );
      return;
    }
    const names = stepNames(model.examples[this.focus.example]);
    const figures = gates.map(([gate, g]) =>
      this.map(
        `${this.focus.layer}:${gate}`,
        {
          title: `${gate} ${gate === 'candidate' ? '(in −1…1)' : 'gate (0…1)'}`,
          rowLabel: 'unit',
          columnLabel: 'step',
          scale: gate === 'candidate' ? 'diverging' : 'unit',
        },
        g,
        names,
        gate === 'candidate' ? [-1, 1] : [0, 1],
      ),
    );
    replace(
      this.element,
      focusControls('gates', this.focus, model, inside),
      el(
        'p',
        { class: 'muted' },
        `${layer.cell} gates at step ${inside.step}, read from the model being trained. ← → move through time.`,
      ),
      el('div', { class: 'grid-2' }, ...figures),
    );
  }
}

/** ‖∂L/∂h_t‖ over t for every layer: the loss at the last step, back through time. */
export class GradientView {
  readonly element = el('div', { class: 'view' });
  private readonly chart = new LineChart({
    title: 'Gradient norm through time ‖∂L/∂h_t‖ (loss at the last step)',
    xLabel: 'step t',
    yLabel: 'norm (log)',
    logY: true,
  });

  constructor(private readonly focus: Focus) {}

  render(model: ModelReady | undefined, inside: Inside | undefined): void {
    if (model === undefined || inside === undefined) {
      replace(
        this.element,
        el('p', { class: 'muted' }, 'Train a step to see gradients flow back through time.'),
      );
      return;
    }
    const series = inside.layers.map((layer, i) =>
      gradientSeries(layer, this.focus.example, COLORS[i % COLORS.length]!),
    );
    this.chart.update(series);
    replace(
      this.element,
      focusControls('gradients', this.focus, model, inside),
      el(
        'p',
        {},
        'How strongly the loss at the last step reaches back to the hidden state at each earlier step. A straight fall on this log scale is a vanishing gradient: a simple RNN loses orders of magnitude per step, gated cells much less.',
      ),
      this.chart.element,
    );
  }
}

export function gradientSeries(layer: LayerInside, example: number, color: string): Series {
  const [, time] = layer.gradientNorms.shape as [number, number];
  return {
    name: `${layer.path} (${layer.cell})`,
    color,
    x: Array.from({ length: time }, (_, t) => t),
    y: layer.gradientNorms.data.subarray(example * time, (example + 1) * time),
  };
}

/** Distill's connectivity: how much one output depends on each earlier input, live. */
export class ConnectivityView {
  readonly element = el('div', { class: 'view' });
  private step = -1;
  private unit = 0;
  private result: Connectivity | undefined;

  constructor(
    private readonly focus: Focus,
    private readonly request: (example: number, step: number, unit: number) => void,
  ) {}

  /** Asks the worker again (after training moved the weights, or the focus changed). */
  refresh(model: ModelReady | undefined): void {
    if (model === undefined) return;
    const last = model.steps - 1;
    if (this.step < 0 || this.step > last) this.step = last;
    if (model.headKind === 'last') this.step = last;
    this.unit = Math.min(this.unit, model.outputUnits - 1);
    this.request(this.focus.example, this.step, this.unit);
  }

  setResult(result: Connectivity): void {
    this.result = result;
  }

  render(model: ModelReady | undefined): void {
    if (model === undefined) return;
    const names = stepNames(model.examples[this.focus.example]) ?? [];
    const unitLabel = (u: number) =>
      model.lags !== undefined
        ? `recall at lag ${model.lags[u]}`
        : model.outputUnits > 1
          ? `output ${u}`
          : 'the output';
    const unitPicker = selectControl(
      'connectivity-unit',
      'Output',
      Array.from({ length: Math.min(model.outputUnits, 100) }, (_, u) => [String(u), unitLabel(u)] as const),
      (v) => {
        this.unit = Number(v);
        this.refresh(model);
      },
    );
    unitPicker.set(String(this.unit));
    const stepInput = el('input', {
      id: 'connectivity-step',
      type: 'range',
      min: 0,
      max: model.steps - 1,
      value: this.step < 0 ? model.steps - 1 : this.step,
      disabled: model.headKind === 'last',
      onchange: () => {
        this.step = Number(stepInput.value);
        this.refresh(model);
      },
    });
    const values = this.result?.values ?? new Float32Array(0);
    const max = values.reduce((a, b) => Math.max(a, b), 1e-12);
    const strip = el(
      'div',
      { class: 'connectivity-strip', 'aria-hidden': 'true' },
      ...Array.from(values, (v, s) =>
        el(
          'span',
          {
            class: s === this.result?.step ? 'target' : '',
            style: `background: rgba(63,0,125,${(v / max).toFixed(3)}); color: ${v / max > 0.5 ? '#fff' : '#111'}`,
            title: `step ${s}: ${format(v)}`,
          },
          names[s] ?? String(s),
        ),
      ),
    );
    const chart = new LineChart({
      title: 'Connectivity ‖∂y/∂x_s‖ over input steps s',
      xLabel: 'input step s',
      yLabel: '‖∂y/∂x_s‖',
      height: 150,
    });
    chart.update([
      { name: 'connectivity', color: COLORS[3]!, x: Array.from(values, (_, s) => s), y: values },
    ]);
    replace(
      this.element,
      el(
        'div',
        { class: 'row' },
        focusControls('connectivity', this.focus, model, undefined),
        unitPicker.element,
        el(
          'label',
          { class: 'control', for: 'connectivity-step' },
          el('span', {}, `Output step (${this.step < 0 ? model.steps - 1 : this.step})`),
          stepInput,
        ),
      ),
      el(
        'p',
        {},
        `How much ${unitLabel(this.unit)} at step ${this.result?.step ?? '…'} depends on the input at each step s (Distill, "Memorization in RNNs"): the gradient norm with respect to the first recurrent layer's input, from the model as it is now.`,
      ),
      strip,
      chart.element,
      alternative(
        'Connectivity as a table',
        table(
          'Connectivity per input step',
          ['step s', 'input', '‖∂y/∂x_s‖'],
          Array.from(values, (v, s) => [s, names[s] ?? '', v]),
        ),
      ),
    );
  }
}

/** Attention weights per head: queries × keys. */
export class AttentionView {
  readonly element = el('div', { class: 'view' });
  private readonly maps: Heatmap[] = [];

  constructor(private readonly focus: Focus) {}

  render(model: ModelReady | undefined, inside: Inside | undefined): void {
    if (model === undefined || !model.hasAttention) {
      replace(
        this.element,
        el('p', {}, 'Attention is off: turn it on in the model settings to see where each step looks.'),
      );
      return;
    }
    if (inside?.attention === undefined) {
      replace(this.element, el('p', { class: 'muted' }, 'Train a step to see the attention weights.'));
      return;
    }
    const [, heads, queries, keys] = inside.attention.shape as [number, number, number, number];
    const names = stepNames(model.examples[this.focus.example]);
    const figures = Array.from({ length: heads }, (_, h) => {
      let map = this.maps[h];
      if (map === undefined) {
        map = new Heatmap({
          title: `Head ${h + 1}: key steps (rows) seen from each query step (columns)`,
          rowLabel: 'key step',
          columnLabel: 'query step',
          scale: 'unit',
        });
        this.maps[h] = map;
      }
      // Rows are keys, columns queries, so the cursor moves through queries.
      const data = new Float32Array(keys * queries);
      const base = (this.focus.example * heads + h) * queries * keys;
      for (let q = 0; q < queries; q++)
        for (let k = 0; k < keys; k++) data[k * queries + q] = inside.attention!.data[base + q * keys + k]!;
      map.setColumnNames(queries > 1 ? names : ['last']);
      map.update(data, keys, queries, [0, 1]);
      return map.element;
    });
    replace(
      this.element,
      focusControls('attention', this.focus, model, undefined),
      el(
        'p',
        {},
        queries === 1
          ? 'The final state asks the attention which steps to read: weights over the input steps.'
          : 'Each step looks back at earlier steps (causal): weights per head.',
      ),
      el('div', { class: 'grid-2' }, ...figures),
    );
  }
}
