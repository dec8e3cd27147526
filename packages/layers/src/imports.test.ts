/**
 * The package's import graph, read from the sources: every relative import of every `src/**\/*.ts` file (runtime,
 * `import type`, re-exports, side-effect and dynamic imports alike). It must have no circle, and the folders depend
 * one way, in Keras' order: `engine` <- `layers` <- `models`, and `training` on `engine` and its own `TrainableModel`
 * only, so that models know how they are trained and the trainer does not know the model classes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Folders (under `src/`) whose non-test files may import only from the folders listed. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  engine: ['engine'],
  layers: ['engine', 'layers'],
  training: ['engine', 'training'],
  models: ['engine', 'layers', 'training', 'models'],
};

const IMPORT =
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Relative import specifiers of a source text (comments left out, so that examples in them do not count). */
function relativeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...code.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

/** Every `.ts` file under `dir`, relative to it, with `/` separators. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
}

/** File -> the files it imports (relative to `src/`; `.js` specifiers name the `.ts` sources). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const from = dirname(join(SRC, file));
    graph.set(
      file,
      relativeImports(readFileSync(join(SRC, file), 'utf8')).map((spec) =>
        relative(SRC, resolve(from, spec.replace(/\.js$/, '.ts')))
          .split('\\')
          .join('/'),
      ),
    );
  }
  return graph;
}

/**
 * Circles of a directed graph, each as the path that closes it (`a -> b -> a`): a depth-first search reports every
 * edge back to a file still on its path, and a graph has a circle exactly when the search meets such an edge.
 */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

const isTestFile = (file: string) => file.endsWith('.test.ts') || file.endsWith('test-helpers.ts');

describe('import graph of @seqmodel/layers', () => {
  const graph = importGraph();

  it('reads the imports it is meant to read', () => {
    const source = [
      "import { a, type B } from './a.js';",
      "import type {\n  C,\n  D,\n} from '../c.js';",
      "export { e } from './e.js';",
      "export * from './f.js';",
      "import './g.js';",
      "const h = await import('./h.js');",
      "import { x } from '@seqmodel/core';",
      "// import { no } from './comment.js';",
      "/** import { no } from './doc.js'; */",
      "const url = 'https://example.com'; import { i } from './i.js';",
    ].join('\n');
    expect(relativeImports(source)).toEqual([
      './a.js',
      '../c.js',
      './e.js',
      './f.js',
      './g.js',
      './h.js',
      './i.js',
    ]);
    // The graph is the real one: the package index reaches the models, the engine and the trainer.
    expect(graph.get('index.ts')).toEqual(
      expect.arrayContaining(['models/model.ts', 'engine/layer.ts', 'layers/builtins.ts']),
    );
    expect(graph.get('models/model.ts')).toContain('training/trainer.ts');
  });

  it('finds circles and names them', () => {
    const circle = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
    ]);
    expect(findCycles(circle)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(findCycles(new Map([['a.ts', ['a.ts']]]))).toEqual([['a.ts', 'a.ts']]);
    expect(
      findCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('has no circle, type imports included', () => {
    expect(findCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it("depends one way: engine <- layers <- models, training on engine only (Keras' order)", () => {
    const wrongWay: string[] = [];
    for (const [file, imports] of graph) {
      const allowed = ALLOWED[file.split('/')[0]!];
      if (allowed === undefined || isTestFile(file)) continue;
      for (const target of imports) {
        if (!allowed.includes(target.split('/')[0]!)) wrongWay.push(`${file} -> ${target}`);
      }
    }
    expect(wrongWay).toEqual([]);
  });
});
