/**
 * The cell registry. Registration is explicit: the built-in cells are listed in `cells/index.ts`, and a plugin is
 * added by calling `registerCell` from the code that uses it. Nothing is discovered by scanning files.
 */
import type { AnyCellPlugin } from './cell.js';
import { builtInCells } from './cells/index.js';
import { invalidArgument, SeqmodelError } from './errors.js';
import { didYouMean } from './options.js';
import { checkCellSpecification } from './specification.js';

export interface RegisterOptions {
  /** Replace a cell already registered under the same name instead of throwing. */
  readonly replace?: boolean;
}

/** A name -> cell map with clear errors. Most code uses the default registry through the functions below. */
export class CellRegistry {
  private readonly cells = new Map<string, AnyCellPlugin>();

  constructor(cells: readonly AnyCellPlugin[] = []) {
    for (const cell of cells) this.register(cell);
  }

  register(cell: AnyCellPlugin, options: RegisterOptions = {}): void {
    checkPlugin(cell);
    if (this.cells.has(cell.name) && !options.replace) {
      throw new SeqmodelError(
        `registerCell: a cell named ${JSON.stringify(cell.name)} is already registered; pass { replace: true } to replace it`,
      );
    }
    this.cells.set(cell.name, cell);
  }

  /** The cell registered under `name`; an unknown name throws, naming `argument` (`getCell` by default). */
  get(name: string, argument = 'getCell'): AnyCellPlugin {
    const cell = this.cells.get(name);
    if (!cell) {
      const known = this.list();
      throw new SeqmodelError(
        `${argument}: unknown cell ${JSON.stringify(name)}${didYouMean(name, known)}; registered cells: ${known.join(', ') || '(none)'}. ` +
          'A plugin cell is known by name only once registered: call registerCell(cell) first (also before loading a saved model that uses it)',
      );
    }
    return cell;
  }

  has(name: string): boolean {
    return this.cells.has(name);
  }

  unregister(name: string): boolean {
    return this.cells.delete(name);
  }

  /** Registered names, in registration order. */
  list(): string[] {
    return [...this.cells.keys()];
  }
}

/**
 * Checks a plugin object; errors name `argument` (a layer's option, say), or `registerCell(<name>)` without one. The
 * name must be one a registry can hold (letters, digits, `_`, `-`, `.`) unless `anyName`: a plugin handed straight
 * to `runSequence` is never looked up by name, and has always run with any string.
 */
export function checkPlugin(
  cell: unknown,
  argument?: string,
  expected = 'a cell plugin object',
  anyName = false,
): asserts cell is AnyCellPlugin {
  const c = cell as Partial<AnyCellPlugin> | null;
  const given = argument ?? 'registerCell(cell)';
  if (typeof c !== 'object' || c === null) invalidArgument(given, cell, expected);
  if (typeof c.name !== 'string' || (!anyName && !/^[A-Za-z][\w.-]*$/.test(c.name))) {
    invalidArgument(
      `${given}.name`,
      c.name,
      anyName ? 'a string' : 'a name of letters, digits, "_", "-" or "."',
    );
  }
  const where = argument ?? `registerCell(${c.name})`;
  for (const method of ['params', 'state', 'step'] as const) {
    if (typeof c[method] !== 'function') {
      invalidArgument(`${where}.${method}`, c[method], 'a function');
    }
  }
  if (typeof c.defaultOptions !== 'object' || c.defaultOptions === null) {
    invalidArgument(`${where}.defaultOptions`, c.defaultOptions, 'an object');
  }
  checkCellSpecification(c, where);
}

const defaultRegistry = new CellRegistry(builtInCells);

/**
 * The default registry of every copy of this module in the process. A program that loads both builds of
 * `@seqmodel/core` (an ES module `import` beside a CommonJS `require`, as a CommonJS test runner next to ESM code
 * does) or two installed versions has two copies, each with its own registry; a lookup that fails in one can then say
 * that the name is registered in another.
 */
const shared = globalThis as Record<symbol, WeakRef<CellRegistry>[] | undefined>;
const registriesKey = Symbol.for('@seqmodel/core default cell registries');
shared[registriesKey] ??= [];
// Weak: a copy no longer loaded (a module reloaded during development) drops out once collected.
const everyDefaultRegistry = shared[registriesKey];
everyDefaultRegistry.push(new WeakRef(defaultRegistry));

/** Adds a cell to the default registry; registering a name twice throws unless `{ replace: true }`. */
export function registerCell(cell: AnyCellPlugin, options?: RegisterOptions): void {
  defaultRegistry.register(cell, options);
}

/** Removes a cell from the default registry; returns whether it was there. */
export function unregisterCell(name: string): boolean {
  return defaultRegistry.unregister(name);
}

/**
 * The cell registered under `name`; an unknown name throws, naming `argument` (a layer's option, say; `getCell` by
 * default), listing the known ones and saying how to register a plugin.
 */
export function getCell(name: string, argument?: string): AnyCellPlugin {
  const elsewhere = (): boolean =>
    everyDefaultRegistry.some((ref) => {
      const other = ref.deref();
      return other !== undefined && other !== defaultRegistry && other.has(name);
    });
  if (!defaultRegistry.has(name) && elsewhere()) {
    throw new SeqmodelError(
      `${argument ?? 'getCell'}: cell ${JSON.stringify(name)} is registered in another copy of @seqmodel/core loaded in this process, not in the one looking it up: ` +
        'its other build (CommonJS beside ES modules: require and import both loaded it) or another installed version. ' +
        'Register the cell through the same module system (and the same copy) as the packages that use it',
    );
  }
  return defaultRegistry.get(name, argument);
}

/** Names of every registered cell. */
export function listCells(): string[] {
  return defaultRegistry.list();
}

/** A cell given by name (looked up in the default registry) or as a plugin object. */
export type CellRef = string | AnyCellPlugin;

/** `cell` as a plugin: looked up by name (see {@link getCell}, `argument` naming it in errors) or checked. */
export function resolveCell(cell: CellRef, argument?: string): AnyCellPlugin {
  if (typeof cell === 'string') return getCell(cell, argument);
  checkPlugin(cell, argument, 'a cell plugin object or the name of a registered cell');
  return cell;
}
