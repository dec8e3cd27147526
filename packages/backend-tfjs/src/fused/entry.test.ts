/**
 * `@seqmodel/backend-tfjs/fused` promises backends on other tensor libraries that it loads no tfjs: nothing reachable
 * from its entry imports `@tensorflow/*` or a module outside `fused/`.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as fused from './index.js';

const here = dirname(fileURLToPath(import.meta.url));

function reachable(entry: string): { modules: string[]; packages: string[] } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (modules.has(file)) return;
    modules.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:from|import)\s*['"]([^'"]+)['"]/g)) {
      const specifier = m[1]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { modules: [...modules].map((f) => relative(here, f)), packages: [...packages] };
}

it('reaches no tensor library and nothing outside fused/', () => {
  const { modules, packages } = reachable(resolve(here, 'index.ts'));
  expect(modules).toContain('compiled/compiled-run.ts');
  expect(modules).toContain('compiled/javascript-generator.ts');
  expect(modules.filter((m) => m.startsWith('..'))).toEqual([]);
  expect(packages).toEqual(['@seqmodel/core']);
});

it('exports the compiled-plan runtime and the JavaScript generator', () => {
  expect(typeof fused.CompiledRun).toBe('function');
  expect(fused.javascriptGenerator.name).toBe('javascript');
  expect(typeof fused.JsGemm).toBe('function');
});
