/**
 * No module of the bench may import itself through others, not even for types: a circle makes the modules' order
 * of evaluation matter and hides which one is the lower layer. The graph is read from the sources (every relative
 * `import` and `export ... from`, type-only ones included, and dynamic `import()`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const relativeSpecifiers = [
  /\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** File -> the files it imports, for the `.ts` sources under `dir` (`./x.js` specifiers name `./x.ts`). */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const targets = relativeSpecifiers.flatMap((pattern) =>
      [...text.matchAll(pattern)].map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))),
    );
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every circle found by a depth-first walk, each as the path that closes it (`a -> b -> a`). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const done = new Set<string>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    const open = path.indexOf(node);
    if (open >= 0) {
      cycles.push([...path.slice(open), node]);
      return;
    }
    if (done.has(node)) return;
    path.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of graph.keys()) visit(node);
  return cycles;
}

describe('import cycles', () => {
  it('finds a circle, type-only or not, and none in a tree', () => {
    const circle = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(findCycles(circle)).toEqual([['a', 'b', 'c', 'a']]);
    const tree = new Map([
      ['a', ['b', 'c']],
      ['b', ['c']],
      ['c', []],
    ]);
    expect(findCycles(tree)).toEqual([]);
  });

  it('reads type-only imports and re-exports as edges', () => {
    const src = dirname(fileURLToPath(import.meta.url));
    const graph = importGraph(src);
    // results.ts needs only a type from backends.ts (`import type`); a circle through such an edge counts too.
    expect(graph.get(join(src, 'results.ts'))).toContain(join(src, 'backends.ts'));
  });

  it('apps/bench/src has no import circle', () => {
    const src = dirname(fileURLToPath(import.meta.url));
    const cycles = findCycles(importGraph(src)).map((c) => c.map((f) => relative(src, f)).join(' -> '));
    expect(cycles).toEqual([]);
  });
});
