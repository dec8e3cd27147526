import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', encoder: 'src/encoder.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // The CommonJS build needs import.meta.url to find the installed .wasm files (see src/wasm-files.ts).
  shims: true,
});
