/**
 * The messages between the page and the training worker. Everything crossing is plain data (numbers, strings,
 * typed arrays): the worker owns the backend, the models and every tensor; the page draws what it is sent.
 */
import type { BackendName, PlaygroundConfig } from '../config.js';
import type { ParamRow } from '../model.js';

/** A typed array with its shape. */
export interface Grid {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** One training step of one model. */
export interface StepPoint {
  readonly step: number;
  readonly loss: number;
  readonly metric: number;
  /** Wall time of the step (forward, backward, update and reading the loss back). */
  readonly ms: number;
}

/** Which backend runs, and why it may not be the one asked for. */
export interface BackendStatus {
  readonly requested: BackendName;
  readonly running: string;
  /** What the backend runs on (SIMD and threads for wasm, the renderer for webgl). */
  readonly detail: string;
  /** Why `running` differs from `requested`, when it does. */
  readonly fallbackReason?: string;
  /** Backends this page can offer (built into it and started here or not yet tried). */
  readonly available: readonly string[];
  /** Backends the page knows but this build lacks, with why (WebGL without `@seqmodel/backend-webgl`). */
  readonly missing?: Readonly<Partial<Record<BackendName, string>>>;
}

/** A data example, for previews. */
export interface ExampleView {
  /** `[time, features]` values, or `[time]` token ids. */
  readonly inputs: Grid;
  readonly targets?: Grid;
  /** Token ids as text (symbols, characters), when the task has tokens. */
  readonly inputText?: readonly string[];
  readonly targetText?: readonly string[];
  /** Valid steps (padded tasks). */
  readonly length: number;
}

/** What the page learns about a model when it is (re)built. */
export interface ModelReady {
  readonly taskTitle: string;
  readonly about: string;
  readonly params: readonly ParamRow[];
  readonly totalParams: number;
  readonly steps: number;
  readonly examples: readonly ExampleView[];
  readonly headKind: 'last' | 'sequence';
  readonly outputUnits: number;
  readonly metricName: string;
  readonly lossName: string;
  readonly baseline: { readonly label: string; readonly value: number };
  readonly lags?: readonly number[];
  readonly hasAttention: boolean;
  readonly canGenerate: boolean;
  readonly canForecast: boolean;
  readonly code: string;
}

/** One recurrent layer seen from inside, for the examples the views show. */
export interface LayerInside {
  readonly path: string;
  readonly cell: string;
  /** Each state after every step, `[examples, time, size]`. */
  readonly states: Readonly<Record<string, Grid>>;
  /** Gate activations at every step, `[examples, time, size]`. */
  readonly gates: Readonly<Record<string, Grid>>;
  /** ‖∂L/∂h_t‖ for the loss at the last step, `[examples, time]`. */
  readonly gradientNorms: Grid;
}

export interface Inside {
  readonly step: number;
  readonly layers: readonly LayerInside[];
  /** The model's outputs on the examples. */
  readonly outputs: Grid;
  /** Attention weights `[examples, heads, queries, keys]`, when attention is on. */
  readonly attention?: Grid;
}

/** Distill's connectivity: ‖∂y/∂x_s‖ of one output at one step, for every input step s. */
export interface Connectivity {
  readonly example: number;
  readonly step: number;
  readonly unit: number;
  readonly values: Float32Array;
}

export interface Evaluation {
  readonly step: number;
  readonly loss: number;
  readonly metric: number;
  /** Memory probe: accuracy at each lag. */
  readonly perLag?: readonly number[];
}

export interface RaceLane {
  readonly cell: string;
  readonly params: number;
  readonly points: readonly StepPoint[];
  readonly evaluation?: Evaluation;
  /** Mean ‖∂L/∂h_t‖ over the examples, for the loss at the last step, per t (top recurrent layer). */
  readonly gradientNorms?: Float32Array;
}

export type Request =
  | { readonly type: 'configure'; readonly config: PlaygroundConfig; readonly id: number }
  | { readonly type: 'play' }
  | { readonly type: 'pause' }
  | { readonly type: 'step'; readonly count: number }
  | { readonly type: 'trainTo'; readonly steps: number }
  | { readonly type: 'reset' }
  | { readonly type: 'backend'; readonly backend: BackendName }
  | { readonly type: 'watch'; readonly inside: boolean }
  | { readonly type: 'inside' }
  | { readonly type: 'connectivity'; readonly example: number; readonly step: number; readonly unit: number }
  | { readonly type: 'evaluate' }
  | {
      readonly type: 'generate';
      readonly prompt: string;
      readonly length: number;
      readonly temperature: number;
    }
  | { readonly type: 'forecast'; readonly example: number; readonly horizon: number }
  | {
      readonly type: 'race';
      readonly action: 'start' | 'play' | 'pause' | 'step';
      readonly cells?: readonly string[];
    };

export type Reply =
  | { readonly type: 'backend'; readonly status: BackendStatus }
  | { readonly type: 'ready'; readonly id: number; readonly model: ModelReady }
  | {
      readonly type: 'steps';
      readonly points: readonly StepPoint[];
      readonly playing: boolean;
      /** tfjs's active backend right after these steps (`tf.getBackend()`): the one that really ran them. */
      readonly tfjsBackend: string;
    }
  | { readonly type: 'state'; readonly playing: boolean; readonly step: number }
  | { readonly type: 'inside'; readonly inside: Inside }
  | { readonly type: 'connectivity'; readonly connectivity: Connectivity }
  | { readonly type: 'evaluation'; readonly evaluation: Evaluation }
  | { readonly type: 'generated'; readonly text: string; readonly prompt: string }
  | {
      readonly type: 'forecast';
      readonly context: Float32Array;
      readonly predicted: Float32Array;
      readonly truth: Float32Array;
    }
  | { readonly type: 'race'; readonly lanes: readonly RaceLane[]; readonly playing: boolean }
  | { readonly type: 'error'; readonly message: string };
