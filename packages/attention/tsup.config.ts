import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', kernels: 'src/kernels/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  // Shared chunks in both formats, so that the entries share one copy of the package's modules under require too.
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
