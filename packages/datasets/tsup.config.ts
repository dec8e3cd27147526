import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // The shipped data files are found relative to the module (`new URL('../data/…', import.meta.url)`); the shim
  // gives the CommonJS build an `import.meta.url` too.
  shims: true,
});
