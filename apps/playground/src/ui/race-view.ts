/**
 * The race: two to four cells trained on the same seed and the same batches, their curves overlaid; the test
 * metric, the memory probe's accuracy against lag and the gradient norm through time of each, refreshed live.
 */
import type { ModelReady, RaceLane, StepPoint } from '../engine/protocol.js';
import { LineChart } from './charts.js';
import { checkboxControl } from './controls.js';
import { el, format, replace, table } from './dom.js';

function tableWithId(id: string, ...args: Parameters<typeof table>): HTMLTableElement {
  const t = table(...args);
  t.id = id;
  return t;
}

import { COLORS } from './inside-views.js';

interface Lane {
  cell: string;
  params: number;
  points: StepPoint[];
  evaluation?: RaceLane['evaluation'];
  gradientNorms?: Float32Array;
}

export class RaceView {
  readonly element = el('div', { class: 'view' });
  private lanes: Lane[] = [];
  private playing = false;
  private selected: string[];
  private readonly loss = new LineChart({ title: 'Race: training loss', xLabel: 'step', yLabel: 'loss' });
  private readonly memory = new LineChart({
    title: 'Memory probe: test accuracy against lag',
    xLabel: 'lag (steps back)',
    yLabel: 'accuracy',
    yMin: 0.4,
    yMax: 1,
    reference: { value: 0.5, label: 'chance' },
  });
  private readonly gradients = new LineChart({
    title: 'Race: gradient norm through time ‖∂L/∂h_t‖ (loss at the last step)',
    xLabel: 'step t',
    yLabel: 'norm (log)',
    logY: true,
  });
  private readonly controls: HTMLElement;
  private readonly status = el('p', { class: 'muted', 'aria-live': 'polite' });
  private readonly summary = el('div');
  private readonly playButton: HTMLButtonElement;
  private model: ModelReady | undefined;

  constructor(
    cells: readonly string[],
    initial: readonly string[],
    private readonly send: (action: 'start' | 'play' | 'pause' | 'step', cells?: readonly string[]) => void,
    private readonly onCells: (cells: string[]) => void,
  ) {
    this.selected = [...initial];
    const boxes = cells.map((cell) => {
      const box = checkboxControl(`race-${cell}`, cell, (on) => {
        const next = on ? [...this.selected, cell] : this.selected.filter((c) => c !== cell);
        if (next.length < 2 || next.length > 4) {
          box.set(!on);
          this.status.textContent = 'Race two to four cells.';
          return;
        }
        this.selected = cells.filter((c) => next.includes(c));
        this.onCells(this.selected);
      });
      box.set(this.selected.includes(cell));
      return box.element;
    });
    this.playButton = el(
      'button',
      { type: 'button', id: 'race-play', onclick: () => this.toggle() },
      'Start race',
    );
    this.controls = el(
      'div',
      {},
      el('fieldset', { class: 'row' }, el('legend', {}, 'Cells in the race'), ...boxes),
      el(
        'div',
        { class: 'row' },
        this.playButton,
        el(
          'button',
          { type: 'button', id: 'race-step', onclick: () => this.send('step', this.selected) },
          'Step race',
        ),
        el('button', { type: 'button', id: 'race-restart', onclick: () => this.restart() }, 'Restart race'),
      ),
    );
    this.render();
  }

  setModel(model: ModelReady): void {
    this.model = model;
    this.lanes = [];
    this.playing = false;
    this.render();
  }

  private restart(): void {
    this.lanes = [];
    this.send('start', this.selected);
    if (this.playing) this.send('play');
  }

  private toggle(): void {
    if (this.playing) {
      this.send('pause');
      return;
    }
    if (
      this.lanes.length === 0 ||
      !sameCells(
        this.lanes.map((l) => l.cell),
        this.selected,
      )
    ) {
      this.lanes = [];
      this.send('start', this.selected);
    }
    this.send('play');
  }

  update(lanes: readonly RaceLane[], playing: boolean): void {
    this.playing = playing;
    if (
      !sameCells(
        this.lanes.map((l) => l.cell),
        lanes.map((l) => l.cell),
      ) ||
      lanes.every((l) => l.points.length > 0 && l.points[0]!.step === 1)
    ) {
      this.lanes = lanes.map((l) => ({ cell: l.cell, params: l.params, points: [] }));
    }
    lanes.forEach((incoming, i) => {
      const lane = this.lanes[i]!;
      lane.points.push(...incoming.points);
      if (incoming.evaluation !== undefined) lane.evaluation = incoming.evaluation;
      if (incoming.gradientNorms !== undefined) lane.gradientNorms = incoming.gradientNorms;
    });
    this.render();
  }

  setPlaying(playing: boolean): void {
    this.playing = playing;
    this.playButton.textContent = playing
      ? 'Pause race'
      : this.lanes.length === 0
        ? 'Start race'
        : 'Continue race';
  }

  private render(): void {
    this.setPlaying(this.playing);
    this.loss.update(
      this.lanes.map((lane, i) => ({
        name: lane.cell,
        color: COLORS[i]!,
        x: lane.points.map((p) => p.step),
        y: smooth(lane.points.map((p) => p.loss)),
      })),
    );
    this.gradients.update(
      this.lanes
        .filter((lane) => lane.gradientNorms !== undefined)
        .map((lane, i) => ({
          name: lane.cell,
          color: COLORS[i]!,
          x: Array.from(lane.gradientNorms!, (_, t) => t),
          y: lane.gradientNorms!,
        })),
    );
    const lags = this.model?.lags;
    if (lags !== undefined) {
      this.memory.update(
        this.lanes
          .filter((lane) => lane.evaluation?.perLag !== undefined)
          .map((lane, i) => ({
            name: lane.cell,
            color: COLORS[i]!,
            x: [...lags],
            y: lane.evaluation!.perLag!,
          })),
      );
    }
    const step = this.lanes[0]?.points.length ?? 0;
    this.status.textContent =
      this.lanes.length === 0 ? 'Not started.' : `Step ${step}, same seed and batches for every cell.`;
    replace(
      this.summary,
      tableWithId(
        'race-standings',
        'Race standings (test set)',
        ['cell', 'parameters', 'step', 'train loss (last 20)', `test ${this.model?.metricName ?? 'metric'}`],
        this.lanes.map((lane) => [
          lane.cell,
          lane.params,
          lane.points.length,
          lane.points.length === 0 ? '' : format(mean(lane.points.slice(-20).map((p) => p.loss))),
          lane.evaluation === undefined ? '' : format(lane.evaluation.metric),
        ]),
      ),
    );
    replace(
      this.element,
      el(
        'p',
        {},
        'Cells trained side by side from the same seed on the same batches. On the memory probe, accuracy against lag shows how far back each one remembers; the gradient plot shows why.',
      ),
      this.controls,
      this.status,
      this.summary,
      this.loss.element,
      lags === undefined
        ? el('p', { class: 'muted' }, 'Choose the memory probe task to see accuracy against lag.')
        : this.memory.element,
      this.gradients.element,
    );
  }
}

function sameCells(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / Math.max(values.length, 1);
}

/** A trailing mean over 10 steps, so overlaid noisy curves stay readable. */
export function smooth(values: readonly number[], window = 10): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}
