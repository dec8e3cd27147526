import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  // Not `clean`: dist/ only; the addon lives in build/ (node-gyp's folder).
  clean: true,
  target: 'es2022',
  // The CommonJS build needs import.meta.url to find the addon (see src/addon.ts).
  shims: true,
});
