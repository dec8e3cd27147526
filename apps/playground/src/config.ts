/**
 * The playground's whole state as a plain object, and its round trip through the page's URL: a link holds the task,
 * the model, the training settings, the seed, the view and how many steps were trained, so that opening it rebuilds
 * the same data, the same initial weights and the same batches, and replays the same curves.
 */

export const TASKS = ['sine', 'adding', 'copy', 'parity', 'reber', 'text', 'memory'] as const;
export type TaskName = (typeof TASKS)[number];

export const OPTIMIZERS = [
  'adam',
  'rmsprop',
  'sgd',
  'adagrad',
  'adamw',
  'adadelta',
  'adamax',
  'nadam',
] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * Backends the page knows, best first. A build without `@seqmodel/backend-webgl` still reads `webgl` in links and
 * says that it lacks it (engine/backends.ts).
 */
export const BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const VIEWS = [
  'data',
  'hidden',
  'gates',
  'gradients',
  'connectivity',
  'attention',
  'race',
  'generate',
  'code',
] as const;
export type ViewName = (typeof VIEWS)[number];

export interface PlaygroundConfig {
  readonly task: TaskName;
  /** Copy task: steps between the last symbol and the recall (the memory the task asks for). */
  readonly lag: number;
  /**
   * Sequence length of the tasks that have one (adding, parity, sine window, text window; the memory probe's scored
   * steps); 0 means the task's default.
   */
  readonly length: number;
  /** The cell's registry name (`simpleRNN`, `lstm`, `gru`, `mgu`, ...). */
  readonly cell: string;
  readonly units: number;
  /** Recurrent layers stacked. */
  readonly depth: number;
  readonly bidirectional: boolean;
  readonly attention: boolean;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  /** `clipnorm` of the optimizer; 0 turns clipping off. */
  readonly clip: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly backend: BackendName;
  readonly view: ViewName;
  /** Cells raced against each other on the memory probe. */
  readonly race: readonly string[];
  /** Steps trained when the link was made: opening it trains that many again. */
  readonly steps: number;
}

export const DEFAULT_CONFIG: PlaygroundConfig = {
  task: 'memory',
  lag: 10,
  length: 0,
  cell: 'lstm',
  units: 16,
  depth: 1,
  bidirectional: false,
  attention: false,
  optimizer: 'adam',
  learningRate: 0.01,
  clip: 1,
  batchSize: 32,
  seed: 1,
  backend: 'webgl',
  view: 'data',
  race: ['simpleRNN', 'lstm'],
  steps: 0,
};

/** Limits of the numeric settings: the UI's sliders and the URL parser share them. */
export const LIMITS = {
  lag: [1, 60],
  length: [0, 100],
  units: [1, 128],
  depth: [1, 3],
  learningRate: [1e-5, 1],
  clip: [0, 100],
  batchSize: [1, 256],
  seed: [0, 2 ** 31 - 1],
  steps: [0, 100000],
} as const satisfies Record<string, readonly [number, number]>;

/** URL keys, short where the value is long-lived in links. */
const KEYS: Record<keyof PlaygroundConfig, string> = {
  task: 'task',
  lag: 'lag',
  length: 'len',
  cell: 'cell',
  units: 'units',
  depth: 'depth',
  bidirectional: 'bidi',
  attention: 'attn',
  optimizer: 'opt',
  learningRate: 'lr',
  clip: 'clip',
  batchSize: 'batch',
  seed: 'seed',
  backend: 'backend',
  view: 'view',
  race: 'race',
  steps: 'steps',
};

const CELL_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,40}$/;

function clampNumber(
  value: string,
  [lo, hi]: readonly [number, number],
  integer: boolean,
): number | undefined {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) return undefined;
  const v = integer ? Math.round(n) : n;
  return Math.min(hi, Math.max(lo, v));
}

function oneOf<V extends string>(value: string, allowed: readonly V[]): V | undefined {
  return (allowed as readonly string[]).includes(value) ? (value as V) : undefined;
}

/**
 * The config a URL's query string describes: every key it has and understands, over the defaults. Unknown keys and
 * values out of range are ignored or clamped (a hand-edited link still opens), and listed in `ignored`.
 */
export function configFromQuery(
  query: string,
  cells: readonly string[],
  backends: readonly string[] = BACKENDS,
): { config: PlaygroundConfig; ignored: string[] } {
  const params = new URLSearchParams(query);
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const ignored: string[] = [];
  const byKey = new Map(Object.entries(KEYS).map(([field, key]) => [key, field as keyof PlaygroundConfig]));
  for (const [key, raw] of params) {
    const field = byKey.get(key);
    const value = field === undefined ? undefined : parseField(field, raw, cells, backends);
    if (value === undefined) ignored.push(`${key}=${raw}`);
    else config[field!] = value;
  }
  return { config: config as unknown as PlaygroundConfig, ignored };
}

function parseField(
  field: keyof PlaygroundConfig,
  raw: string,
  cells: readonly string[],
  backends: readonly string[],
): unknown {
  switch (field) {
    case 'task':
      return oneOf(raw, TASKS);
    case 'optimizer':
      return oneOf(raw, OPTIMIZERS);
    case 'view':
      return oneOf(raw, VIEWS);
    case 'backend':
      return backends.includes(raw) ? raw : undefined;
    case 'cell':
      return CELL_NAME.test(raw) && cells.includes(raw) ? raw : undefined;
    case 'race': {
      const list = raw.split(',').filter((c) => cells.includes(c));
      const unique = [...new Set(list)].slice(0, 4);
      return unique.length >= 2 ? unique : undefined;
    }
    case 'bidirectional':
    case 'attention':
      return raw === '1' ? true : raw === '0' ? false : undefined;
    case 'learningRate':
      return clampNumber(raw, LIMITS.learningRate, false);
    case 'clip':
      return clampNumber(raw, LIMITS.clip, false);
    default:
      return clampNumber(raw, LIMITS[field], true);
  }
}

/** The query string of `config`: only what differs from the defaults, in a stable order. */
export function queryFromConfig(config: PlaygroundConfig): string {
  const params = new URLSearchParams();
  for (const [field, key] of Object.entries(KEYS) as [keyof PlaygroundConfig, string][]) {
    const value = config[field];
    const fallback = DEFAULT_CONFIG[field];
    const text = formatValue(value);
    if (text !== formatValue(fallback)) params.set(key, text);
  }
  return params.toString();
}

function formatValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Settings that change the model or the data: changing one starts training over. */
export function trainingKey(config: PlaygroundConfig): string {
  const { view: _view, steps: _steps, race: _race, ...rest } = config;
  return JSON.stringify(rest);
}
