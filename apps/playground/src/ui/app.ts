/**
 * The page: settings on the left (task, model, training), the training controls and curves, and the views inside
 * the model as tabs. All state lives in `config`, mirrored in the URL; the worker does the work and sends back plain
 * data, which the views draw.
 */
import {
  BACKENDS,
  type BackendName,
  LIMITS,
  OPTIMIZERS,
  type PlaygroundConfig,
  queryFromConfig,
  TASKS,
  trainingKey,
  type ViewName,
} from '../config.js';
import type {
  BackendStatus,
  Evaluation,
  Inside,
  ModelReady,
  Reply,
  Request,
  StepPoint,
} from '../engine/protocol.js';
import { DEFAULT_LENGTHS, TASK_TITLES } from '../tasks.js';
import { LineChart } from './charts.js';
import { checkboxControl, numberControl, type SelectOption, selectControl, Tabs } from './controls.js';
import { el, format, replace, table } from './dom.js';
import {
  AttentionView,
  COLORS,
  ConnectivityView,
  DataPreview,
  Focus,
  GatesView,
  GradientView,
  HiddenView,
} from './inside-views.js';
import { CodeView, GenerateView } from './output-views.js';
import { RaceView } from './race-view.js';

/** What the page exposes for scripting and its own end-to-end tests (read-only copies). */
export interface PlaygroundHandle {
  readonly config: () => PlaygroundConfig;
  readonly points: () => StepPoint[];
  readonly backend: () => BackendStatus | undefined;
  readonly playing: () => boolean;
  /** tfjs's active backend in the worker after the last steps (`tf.getBackend()`). */
  readonly tfjsBackend: () => string | undefined;
  readonly ready: () => boolean;
  readonly errors: () => string[];
}

const INSIDE_VIEWS: readonly ViewName[] = ['hidden', 'gates', 'gradients', 'attention'];

export class App {
  private config: PlaygroundConfig;
  private model: ModelReady | undefined;
  private points: StepPoint[] = [];
  private evaluations: Evaluation[] = [];
  private inside: Inside | undefined;
  private status: BackendStatus | undefined;
  private playing = false;
  private tfjsBackend: string | undefined;
  private configureId = 0;
  private readyId = -1;
  private pendingTrainTo: number | undefined;
  private errors: string[] = [];
  private readonly focus = new Focus();

  private readonly lossChart: LineChart;
  private readonly metricChart: LineChart;
  private readonly paramsHolder = el('div', { id: 'params' });
  private readonly statsHolder = el('dl', { class: 'stats', id: 'stats' });
  private readonly backendBadge = el('output', { id: 'backend-status', 'aria-live': 'polite' }, 'starting…');
  private readonly messages = el('p', {
    id: 'messages',
    class: 'messages',
    role: 'status',
    'aria-live': 'polite',
  });
  private readonly playButton = el('button', { type: 'button', id: 'play', class: 'primary' }, 'Play');
  private readonly aboutTask = el('p', { class: 'about' });
  private readonly tabs: Tabs;
  private readonly views: {
    data: DataPreview;
    hidden: HiddenView;
    gates: GatesView;
    gradients: GradientView;
    connectivity: ConnectivityView;
    attention: AttentionView;
    race: RaceView;
    generate: GenerateView;
    code: CodeView;
  };
  private readonly controls: Record<
    string,
    { element: HTMLElement; set(value: never): void; setDisabled(d: boolean): void }
  > = {};

  constructor(
    private readonly root: HTMLElement,
    private readonly worker: Worker,
    initial: PlaygroundConfig,
    private readonly cells: readonly string[],
    ignored: readonly string[],
  ) {
    this.config = initial;
    this.lossChart = new LineChart({ title: 'Loss while training', xLabel: 'step', yLabel: 'loss' });
    this.metricChart = new LineChart({ title: 'Metric while training', xLabel: 'step', yLabel: 'metric' });
    this.views = {
      data: new DataPreview(),
      hidden: new HiddenView(this.focus),
      gates: new GatesView(this.focus),
      gradients: new GradientView(this.focus),
      connectivity: new ConnectivityView(this.focus, (example, step, unit) =>
        this.send({ type: 'connectivity', example, step, unit }),
      ),
      attention: new AttentionView(this.focus),
      race: new RaceView(
        cells,
        initial.race,
        (action, raceCells) =>
          this.send({ type: 'race', action, ...(raceCells === undefined ? {} : { cells: raceCells }) }),
        (race) => this.update({ race }),
      ),
      generate: new GenerateView(
        (prompt, length, temperature) => this.send({ type: 'generate', prompt, length, temperature }),
        (horizon) => this.send({ type: 'forecast', example: 0, horizon }),
      ),
      code: new CodeView(),
    };
    this.focus.onChange(() => {
      if (this.config.view === 'connectivity') this.views.connectivity.refresh(this.model);
      this.renderView();
    });
    const labels: Record<ViewName, string> = {
      data: 'Data',
      hidden: 'Hidden state',
      gates: 'Gates',
      gradients: 'Gradient through time',
      connectivity: 'Connectivity',
      attention: 'Attention',
      race: 'Race',
      generate: 'Generate',
      code: 'Code',
    };
    this.tabs = new Tabs(
      'Views',
      (Object.keys(labels) as ViewName[]).map((id) => ({
        id,
        label: labels[id],
        panel: this.views[id].element,
      })),
      (id) => this.update({ view: id as ViewName }),
    );
    this.playButton.addEventListener('click', () => this.togglePlay());
    this.layout();
    if (ignored.length > 0) this.message(`Ignored in the link: ${ignored.join(', ')}.`);
    worker.addEventListener('message', (event: MessageEvent<Reply>) => this.receive(event.data));
    worker.addEventListener('error', (event) =>
      this.message(`The training worker failed: ${event.message}`, true),
    );
    this.lossChart.update([]);
    this.applyConfigToControls();
    this.tabs.select(this.config.view);
    this.pendingTrainTo = this.config.steps > 0 ? this.config.steps : undefined;
    this.configure();
  }

  handle(): PlaygroundHandle {
    return {
      config: () => ({ ...this.config }),
      points: () => this.points.map((p) => ({ ...p })),
      backend: () => (this.status === undefined ? undefined : { ...this.status }),
      playing: () => this.playing,
      tfjsBackend: () => this.tfjsBackend,
      ready: () => this.readyId === this.configureId,
      errors: () => [...this.errors],
    };
  }

  private send(request: Request): void {
    this.worker.postMessage(request);
  }

  private message(text: string, error = false): void {
    this.messages.textContent = text;
    this.messages.classList.toggle('error', error);
    if (error) this.errors.push(text);
  }

  // Settings -----------------------------------------------------------------------------------------------------

  private layout(): void {
    const c = this.controls;
    const task = selectControl(
      'task',
      'Task',
      TASKS.map((t) => [t, TASK_TITLES[t]] as const),
      (v) => this.update({ task: v as PlaygroundConfig['task'], length: 0 }),
    );
    const lag = numberControl(
      'lag',
      'Lag (copy delay)',
      { min: LIMITS.lag[0], max: LIMITS.lag[1], step: 1 },
      (v) => this.update({ lag: v }),
      true,
    );
    const length = numberControl(
      'length',
      'Length',
      { min: 4, max: LIMITS.length[1], step: 1 },
      (v) => this.update({ length: v }),
      true,
    );
    const seed = numberControl('seed', 'Seed', { min: LIMITS.seed[0], max: LIMITS.seed[1], step: 1 }, (v) =>
      this.update({ seed: v }),
    );
    const cell = selectControl(
      'cell',
      'Cell',
      this.cells.map((name) => [name, name] as const),
      (v) => this.update({ cell: v }),
    );
    const units = numberControl(
      'units',
      'Units',
      { min: LIMITS.units[0], max: LIMITS.units[1], step: 1 },
      (v) => this.update({ units: v }),
    );
    const depth = numberControl('depth', 'Layers', { min: 1, max: 3, step: 1 }, (v) =>
      this.update({ depth: v }),
    );
    const bidirectional = checkboxControl('bidirectional', 'Bidirectional', (v) =>
      this.update({ bidirectional: v }),
    );
    const attention = checkboxControl('attention', 'Attention', (v) => this.update({ attention: v }));
    const optimizer = selectControl(
      'optimizer',
      'Optimizer',
      OPTIMIZERS.map((o) => [o, o] as const),
      (v) => this.update({ optimizer: v as PlaygroundConfig['optimizer'] }),
    );
    const lr = numberControl(
      'learning-rate',
      'Learning rate',
      { min: LIMITS.learningRate[0], max: LIMITS.learningRate[1], step: 0.0001 },
      (v) => this.update({ learningRate: v }),
    );
    const clip = numberControl(
      'clip',
      'Clip norm (0: off)',
      { min: 0, max: LIMITS.clip[1], step: 0.1 },
      (v) => this.update({ clip: v }),
    );
    const batch = numberControl(
      'batch-size',
      'Batch size',
      { min: 1, max: LIMITS.batchSize[1], step: 1 },
      (v) => this.update({ batchSize: v }),
    );
    const backend = selectControl(
      'backend',
      'Backend',
      BACKENDS.map((b) => [b, b] as const),
      (v) => this.switchBackend(v as BackendName),
    );
    Object.assign(c, {
      task,
      lag,
      length,
      seed,
      cell,
      units,
      depth,
      bidirectional,
      attention,
      optimizer,
      lr,
      clip,
      batch,
      backend,
    });

    const share = el(
      'button',
      { type: 'button', id: 'share', onclick: () => void this.share() },
      'Share link',
    );
    const header = el(
      'header',
      { class: 'top' },
      el('h1', {}, 'seqmodel playground'),
      el('span', { class: 'tagline' }, 'sequence models trained live in your browser, opened up'),
      el('span', { class: 'spacer' }),
      el('span', { class: 'badge' }, 'running on ', this.backendBadge),
      share,
    );
    const setup = el(
      'section',
      { class: 'setup', 'aria-label': 'Settings' },
      el('h2', {}, 'Task'),
      task.element,
      this.aboutTask,
      el('div', { class: 'row' }, lag.element, length.element),
      seed.element,
      el('h2', {}, 'Model'),
      el('div', { class: 'row' }, cell.element, units.element, depth.element),
      el('div', { class: 'row' }, bidirectional.element, attention.element),
      el('h2', {}, 'Training'),
      el('div', { class: 'row' }, optimizer.element, lr.element),
      el('div', { class: 'row' }, clip.element, batch.element),
      el('h2', {}, 'Parameters'),
      this.paramsHolder,
    );
    const training = el(
      'section',
      { class: 'training', 'aria-label': 'Training' },
      el(
        'div',
        { class: 'row controls' },
        this.playButton,
        el(
          'button',
          { type: 'button', id: 'step', onclick: () => this.send({ type: 'step', count: 1 }) },
          'Step',
        ),
        el('button', { type: 'button', id: 'reset', onclick: () => this.reset() }, 'Reset'),
        backend.element,
      ),
      this.statsHolder,
      this.messages,
      el('div', { class: 'grid-2' }, this.lossChart.element, this.metricChart.element),
    );
    replace(
      this.root,
      header,
      el(
        'main',
        { class: 'layout' },
        setup,
        el(
          'div',
          { class: 'work' },
          training,
          el('section', { class: 'views', 'aria-label': 'Inside the model' }, this.tabs.element),
        ),
      ),
    );
  }

  private applyConfigToControls(): void {
    const c = this.controls as Record<string, { element: HTMLElement; set(value: unknown): void }>;
    const cfg = this.config;
    c.task!.set(cfg.task);
    c.lag!.set(cfg.lag);
    c.length!.set(cfg.length > 0 ? cfg.length : DEFAULT_LENGTHS[cfg.task]);
    c.seed!.set(cfg.seed);
    c.cell!.set(cfg.cell);
    c.units!.set(cfg.units);
    c.depth!.set(cfg.depth);
    c.bidirectional!.set(cfg.bidirectional);
    c.attention!.set(cfg.attention);
    c.optimizer!.set(cfg.optimizer);
    c.lr!.set(cfg.learningRate);
    c.clip!.set(cfg.clip);
    c.batch!.set(cfg.batchSize);
    c.backend!.set(cfg.backend);
    c.lag!.element.hidden = cfg.task !== 'copy';
    c.length!.element.hidden = DEFAULT_LENGTHS[cfg.task] === 0;
  }

  /** Applies a change: the URL follows; a change to the model or the data rebuilds and starts over. */
  private update(change: Partial<PlaygroundConfig>): void {
    const before = this.config;
    this.config = { ...before, ...change };
    const rebuild = trainingKey(before) !== trainingKey(this.config);
    if (rebuild) this.config = { ...this.config, steps: 0 };
    this.writeUrl();
    this.applyConfigToControls();
    if (rebuild) this.configure();
    if (change.view !== undefined) this.onView();
  }

  private writeUrl(): void {
    const query = queryFromConfig(this.config);
    history.replaceState(null, '', `${location.pathname}${query === '' ? '' : `?${query}`}`);
  }

  private configure(): void {
    this.configureId += 1;
    this.points = [];
    this.evaluations = [];
    this.inside = undefined;
    this.playing = false;
    this.renderTraining();
    this.send({ type: 'configure', config: this.config, id: this.configureId });
  }

  private reset(): void {
    this.points = [];
    this.evaluations = [];
    this.inside = undefined;
    this.config = { ...this.config, steps: 0 };
    this.writeUrl();
    this.send({ type: 'reset' });
    this.renderTraining();
    this.renderView();
  }

  private switchBackend(backend: BackendName): void {
    this.config = { ...this.config, backend };
    this.writeUrl();
    this.message(`Moving the model to ${backend}…`);
    this.send({ type: 'backend', backend });
  }

  private togglePlay(): void {
    this.send({ type: this.playing ? 'pause' : 'play' });
  }

  /** Puts the trained step count in the URL and copies the link: opening it trains as far again. */
  private async share(): Promise<void> {
    this.config = { ...this.config, steps: this.points.length };
    this.writeUrl();
    try {
      await navigator.clipboard.writeText(location.href);
      this.message('Link copied: it rebuilds this run and trains it to this step.');
    } catch {
      this.message(`This link rebuilds this run: ${location.href}`);
    }
  }

  // Worker replies ------------------------------------------------------------------------------------------------

  private receive(reply: Reply): void {
    switch (reply.type) {
      case 'backend':
        this.status = reply.status;
        this.renderBackend();
        return;
      case 'ready':
        if (reply.id !== this.configureId) return;
        this.readyId = reply.id;
        this.model = reply.model;
        this.views.code.set(reply.model.code);
        this.views.race.setModel(reply.model);
        this.renderParams();
        this.renderTraining();
        this.onView();
        if (this.pendingTrainTo !== undefined) {
          this.send({ type: 'trainTo', steps: this.pendingTrainTo });
          this.pendingTrainTo = undefined;
        }
        return;
      case 'steps':
        if (this.readyId !== this.configureId) return;
        this.points.push(...reply.points);
        this.playing = reply.playing;
        this.tfjsBackend = reply.tfjsBackend;
        this.renderTraining();
        return;
      case 'state':
        this.playing = reply.playing;
        if (reply.step === 0 && this.points.length > 0 && this.readyId === this.configureId) this.points = [];
        this.renderTraining();
        if (this.messages.textContent?.startsWith('Moving')) this.message('');
        return;
      case 'evaluation':
        this.evaluations = [
          ...this.evaluations.filter((e) => e.step !== reply.evaluation.step),
          reply.evaluation,
        ];
        this.renderTraining();
        return;
      case 'inside':
        this.inside = reply.inside;
        if (INSIDE_VIEWS.includes(this.config.view)) this.renderView();
        if (this.config.view === 'connectivity') this.views.connectivity.refresh(this.model);
        return;
      case 'connectivity':
        this.views.connectivity.setResult(reply.connectivity);
        this.views.connectivity.render(this.model);
        return;
      case 'generated':
        this.views.generate.setText(reply.text, reply.prompt);
        return;
      case 'forecast':
        this.views.generate.setForecast(reply.context, reply.predicted, reply.truth);
        return;
      case 'race':
        this.views.race.update(reply.lanes, reply.playing);
        return;
      case 'error':
        this.message(reply.message, true);
        return;
    }
  }

  // Rendering -----------------------------------------------------------------------------------------------------

  private renderBackend(): void {
    const s = this.status;
    if (s === undefined) return;
    this.backendBadge.textContent = `${s.running}${s.detail === '' ? '' : ` (${s.detail})`}`;
    this.backendBadge.dataset.backend = s.running;
    // Every backend the page knows is listed; one this build lacks is shown, greyed, with why.
    (this.controls.backend as unknown as { setOptions(o: readonly SelectOption[]): void }).setOptions(
      BACKENDS.filter((b) => s.available.includes(b) || s.missing?.[b] !== undefined).map((b) =>
        s.available.includes(b) ? [b, b] : [b, `${b} (not in this build)`, true],
      ),
    );
    this.backendBadge.title = Object.entries(s.missing ?? {})
      .map(([b, why]) => `${b}: ${why}`)
      .join('; ');
    (this.controls.backend as unknown as { set(v: string): void }).set(s.running);
    if (s.fallbackReason !== undefined)
      this.message(`Asked for ${s.requested}, running on ${s.running}: ${s.fallbackReason}`);
  }

  private renderParams(): void {
    const model = this.model;
    if (model === undefined) return;
    this.aboutTask.textContent = model.about;
    replace(
      this.paramsHolder,
      table(
        `${format(model.totalParams)} parameters (recurrent layers: W·|gates| + U·|gates| + b·|gates|)`,
        ['layer', 'kind', 'count', 'formula'],
        model.params.map((p) => [p.layer, p.kind, String(p.count), p.formula]),
      ),
    );
  }

  private renderTraining(): void {
    const last = this.points[this.points.length - 1];
    const recent = this.points.slice(-20);
    const msPerStep = recent.length === 0 ? Number.NaN : recent.reduce((s, p) => s + p.ms, 0) / recent.length;
    const evaluation = this.evaluations[this.evaluations.length - 1];
    const metric = this.model?.metricName ?? 'metric';
    const stats: [string, string, string][] = [
      ['step', 'Step', String(this.points.length)],
      ['loss', 'Loss', last === undefined ? '–' : format(last.loss)],
      ['metric', metric, last === undefined ? '–' : format(last.metric)],
      ['test', `Test ${metric}`, evaluation === undefined ? '–' : format(evaluation.metric)],
      ['ms', 'ms per step', Number.isFinite(msPerStep) ? format(msPerStep, 3) : '–'],
      ['rate', 'steps/s', Number.isFinite(msPerStep) ? format(1000 / msPerStep, 3) : '–'],
    ];
    replace(
      this.statsHolder,
      ...stats.flatMap(([id, label, value]) => [el('dt', {}, label), el('dd', { id: `stat-${id}` }, value)]),
    );
    this.playButton.textContent = this.playing ? 'Pause' : 'Play';
    this.playButton.setAttribute('aria-pressed', String(this.playing));
    const steps = this.points.map((p) => p.step);
    const evalSteps = this.evaluations.map((e) => e.step);
    const baseline = this.model?.baseline;
    this.lossChart.update([
      { name: 'train loss', color: COLORS[0]!, x: steps, y: this.points.map((p) => p.loss) },
      { name: 'test loss', color: COLORS[1]!, x: evalSteps, y: this.evaluations.map((e) => e.loss) },
    ]);
    this.metricChart.update([
      { name: `train ${metric}`, color: COLORS[0]!, x: steps, y: this.points.map((p) => p.metric) },
      { name: `test ${metric}`, color: COLORS[1]!, x: evalSteps, y: this.evaluations.map((e) => e.metric) },
      ...(baseline !== undefined && /accuracy/i.test(baseline.label) && /accuracy/i.test(metric)
        ? [
            {
              name: 'baseline',
              color: COLORS[5]!,
              x: [0, Math.max(1, steps.length)],
              y: [baseline.value, baseline.value],
              dashed: true,
            },
          ]
        : []),
    ]);
  }

  private onView(): void {
    const view = this.config.view;
    this.send({ type: 'watch', inside: INSIDE_VIEWS.includes(view) || view === 'connectivity' });
    if (view === 'connectivity') this.views.connectivity.refresh(this.model);
    this.renderView();
  }

  private renderView(): void {
    const v = this.views;
    switch (this.config.view) {
      case 'data':
        if (this.model !== undefined) v.data.render(this.model);
        return;
      case 'hidden':
        v.hidden.render(this.model, this.inside);
        return;
      case 'gates':
        v.gates.render(this.model, this.inside);
        return;
      case 'gradients':
        v.gradients.render(this.model, this.inside);
        return;
      case 'connectivity':
        v.connectivity.render(this.model);
        return;
      case 'attention':
        v.attention.render(this.model, this.inside);
        return;
      case 'generate':
        v.generate.render(this.model);
        return;
      case 'race':
      case 'code':
        return;
    }
  }
}
