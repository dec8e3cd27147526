/**
 * The training worker: it owns the backend, the session and every tensor, and trains in a loop that yields to
 * messages between short bursts of steps, so play, pause and the page's requests are answered while it trains and
 * the page never waits on a training step.
 */
import { loadMobyDick } from '@seqmodel/datasets';
import { getBackend } from '@tensorflow/tfjs-core';
import { availableCells } from '../cells.js';
import { generateCode } from '../code.js';
import { type BackendName, DEFAULT_CONFIG, type PlaygroundConfig, trainingKey } from '../config.js';
import { buildTask, type TaskData } from '../tasks.js';
import { type StartedBackend, startBackend } from './backends.js';
import type { ModelReady, RaceLane, Reply, Request, StepPoint } from './protocol.js';
import { Session } from './session.js';

/** Training runs in bursts this long before the worker looks at its messages again. */
const BURST_MS = 60;
/** How often the inside views and evaluations are refreshed while training. */
const INSIDE_EVERY_MS = 700;
const EVALUATE_EVERY_MS = 1500;
const RACE_INSIDE_EVERY_MS = 2000;

// Moby-Dick is the datasets package's own file, bundled as an asset: fetched now, in the background, so that the
// text task works offline once the page has loaded.
const textPromise = loadMobyDick();
textPromise.catch(() => undefined); // a failure is reported when the text task awaits it

function post(reply: Reply): void {
  (self as unknown as { postMessage(message: Reply): void }).postMessage(reply);
}

/** Lets queued messages run before the next burst. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

class Engine {
  private backendName: BackendName = DEFAULT_CONFIG.backend;
  private started: StartedBackend | undefined;
  /** The backend asked for when `started` was started (it differs from the one running after a fallback). */
  private startedFor: BackendName | undefined;
  private config: PlaygroundConfig | undefined;
  private task: TaskData | undefined;
  private session: Session<unknown> | undefined;
  private race: Session<unknown> | undefined;
  private raceSent = new Map<string, number>();
  private playing = false;
  private racing = false;
  private target: number | undefined;
  private watchInside = false;
  private lastInside = 0;
  private lastEvaluation = 0;
  private lastRaceInside = 0;
  private looping = false;
  private queue: Promise<void> = Promise.resolve();

  /** Requests run one at a time, in order (building a model waits for the backend, say). */
  handle(request: Request): void {
    this.queue = this.queue
      .then(() => this.run(request))
      .catch((error: unknown) => {
        this.playing = false;
        this.racing = false;
        post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
        post({ type: 'state', playing: false, step: this.session?.step ?? 0 });
      });
  }

  private async run(request: Request): Promise<void> {
    switch (request.type) {
      case 'configure':
        return this.configure(request.config, request.id);
      case 'backend':
        return this.switchBackend(request.backend);
      case 'play':
        this.racing = false;
        this.target = undefined;
        this.playing = true;
        this.startLoop();
        return;
      case 'trainTo':
        this.racing = false;
        this.target = request.steps;
        this.playing = this.requireSession().step < request.steps;
        if (this.playing) this.startLoop();
        else post({ type: 'state', playing: false, step: this.requireSession().step });
        return;
      case 'pause':
        this.playing = false;
        post({ type: 'state', playing: false, step: this.session?.step ?? 0 });
        return;
      case 'step': {
        const session = this.requireSession();
        const points: StepPoint[] = [];
        for (let i = 0; i < request.count; i++) points.push(session.trainStep()[0]!);
        post({ type: 'steps', points, playing: this.playing, tfjsBackend: getBackend() });
        this.sendInside(true);
        return;
      }
      case 'reset':
        this.playing = false;
        this.rebuild();
        return;
      case 'watch':
        this.watchInside = request.inside;
        if (request.inside) this.sendInside(true);
        return;
      case 'inside':
        this.sendInside(true);
        return;
      case 'evaluate':
        post({ type: 'evaluation', evaluation: this.requireSession().evaluate() });
        return;
      case 'connectivity':
        post({
          type: 'connectivity',
          connectivity: this.requireSession().connectivity(request.example, request.step, request.unit),
        });
        return;
      case 'generate':
        post({
          type: 'generated',
          prompt: request.prompt,
          text: this.requireSession().generate(request.prompt, request.length, request.temperature),
        });
        return;
      case 'forecast':
        post({ type: 'forecast', ...this.requireSession().forecast(request.example, request.horizon) });
        return;
      case 'race':
        return this.raceAction(request.action, request.cells);
    }
  }

  private requireSession(): Session<unknown> {
    if (this.session === undefined) throw new Error('no model yet: the page has not configured one');
    return this.session;
  }

  private async ensureBackend(): Promise<StartedBackend> {
    // Compared with what was asked for, not what runs: after a fallback, the page is told once, not at every rebuild.
    if (this.started === undefined || this.startedFor !== this.backendName) {
      const { started, status } = await startBackend(this.backendName);
      this.started = started;
      this.startedFor = this.backendName;
      post({ type: 'backend', status });
    }
    return this.started;
  }

  private async configure(config: PlaygroundConfig, id: number): Promise<void> {
    const previous = this.config;
    this.config = config;
    const backendChanged = this.backendName !== config.backend;
    this.backendName = config.backend;
    const rebuild =
      previous === undefined || trainingKey(previous) !== trainingKey(config) || this.session === undefined;
    if (rebuild) {
      this.playing = false;
      this.disposeRace();
      await this.ensureBackend();
      const text = config.task === 'text' ? await textPromise : undefined;
      this.task = buildTask(config, text);
      this.rebuild();
    } else if (backendChanged) {
      await this.switchBackend(config.backend);
    }
    post({ type: 'ready', id, model: this.describe() });
  }

  private rebuild(): void {
    this.session?.dispose();
    this.session = undefined;
    this.session = new Session(this.started!.backend, this.config!, this.task!);
    post({ type: 'state', playing: false, step: 0 });
  }

  private describe(): ModelReady {
    const session = this.requireSession();
    const task = session.task;
    const params = session.main.params();
    return {
      taskTitle: task.title,
      about: task.about,
      params,
      totalParams: params.reduce((n, p) => n + p.count, 0),
      steps: task.steps,
      examples: session.examples(),
      headKind: task.head.kind,
      outputUnits: task.head.units,
      metricName: task.head.metric,
      lossName: task.head.loss,
      baseline: task.baseline,
      ...(task.lags === undefined ? {} : { lags: task.lags }),
      hasAttention: session.main.withAttention !== undefined,
      canGenerate: task.tokenizer !== undefined,
      canForecast: task.name === 'sine',
      code: generateCode(this.config!, task, { backend: this.config!.backend === 'cpu' ? 'cpu' : 'wasm' }),
    };
  }

  /** Moves the models to another backend: same weights and optimizer state, training continues there. */
  private async switchBackend(name: BackendName): Promise<void> {
    this.backendName = name;
    const wasPlaying = this.playing;
    this.playing = false;
    const before = this.started?.backend;
    const started = await this.ensureBackend();
    if (this.session !== undefined && started.backend !== before)
      this.session = this.session.moveTo(started.backend);
    if (this.race !== undefined && started.backend !== before) this.race = this.race.moveTo(started.backend);
    if (this.config !== undefined) this.config = { ...this.config, backend: name };
    post({ type: 'state', playing: false, step: this.session?.step ?? 0 });
    if (wasPlaying) {
      this.playing = true;
      this.startLoop();
    }
  }

  private sendInside(force = false): void {
    if (this.session === undefined || (!force && !this.watchInside)) return;
    this.lastInside = performance.now();
    post({ type: 'inside', inside: this.session.inside() });
  }

  private startLoop(): void {
    if (this.looping) return;
    this.looping = true;
    void this.loop().finally(() => {
      this.looping = false;
    });
  }

  private async loop(): Promise<void> {
    post({ type: 'state', playing: this.playing || this.racing, step: this.session?.step ?? 0 });
    while (this.playing || this.racing) {
      if (this.racing) this.raceBurst();
      else this.trainBurst();
      await yieldToMessages();
      await this.queue;
    }
  }

  private trainBurst(): void {
    const session = this.requireSession();
    const start = performance.now();
    const points: StepPoint[] = [];
    while (this.playing && performance.now() - start < BURST_MS) {
      if (this.target !== undefined && session.step >= this.target) {
        this.playing = false;
        break;
      }
      points.push(session.trainStep()[0]!);
    }
    post({ type: 'steps', points, playing: this.playing, tfjsBackend: getBackend() });
    const now = performance.now();
    if (this.watchInside && now - this.lastInside > INSIDE_EVERY_MS) this.sendInside();
    if (now - this.lastEvaluation > EVALUATE_EVERY_MS || !this.playing) {
      this.lastEvaluation = now;
      post({ type: 'evaluation', evaluation: session.evaluate() });
    }
    if (!this.playing) {
      this.sendInside();
      post({ type: 'state', playing: false, step: session.step });
    }
  }

  private async raceAction(
    action: 'start' | 'play' | 'pause' | 'step',
    cells?: readonly string[],
  ): Promise<void> {
    if (action === 'start' || this.race === undefined) {
      this.disposeRace();
      const list = cells ?? this.config!.race;
      await this.ensureBackend();
      this.race = new Session(this.started!.backend, this.config!, this.task!, list);
      this.raceSent.clear();
      this.postRace(true);
    }
    if (action === 'pause') this.racing = false;
    if (action === 'step') {
      this.race.trainStep();
      this.postRace(true);
    }
    if (action === 'play') {
      this.playing = false;
      this.racing = true;
      this.startLoop();
    }
    if (action !== 'play') post({ type: 'state', playing: false, step: this.session?.step ?? 0 });
  }

  private raceBurst(): void {
    const race = this.race!;
    const start = performance.now();
    while (this.racing && performance.now() - start < BURST_MS) race.trainStep();
    const now = performance.now();
    const full = now - this.lastRaceInside > RACE_INSIDE_EVERY_MS;
    this.postRace(full);
  }

  /** Sends the race's new points, and with `full` each lane's evaluation and gradient norms through time. */
  private postRace(full: boolean): void {
    const race = this.race!;
    if (full) this.lastRaceInside = performance.now();
    const lanes: RaceLane[] = race.trainees.map((t) => {
      const sent = this.raceSent.get(t.cell) ?? 0;
      this.raceSent.set(t.cell, t.points.length);
      return {
        cell: t.cell,
        params: t.params().reduce((n, p) => n + p.count, 0),
        points: t.points.slice(sent),
        ...(full ? { evaluation: race.evaluate(t), gradientNorms: race.gradientNorms(t) } : {}),
      };
    });
    post({ type: 'race', lanes, playing: this.racing });
  }

  private disposeRace(): void {
    this.racing = false;
    this.race?.dispose();
    this.race = undefined;
  }
}

availableCells();
const engine = new Engine();
self.addEventListener('message', (event: MessageEvent<Request>) => engine.handle(event.data));
