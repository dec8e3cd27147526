import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  // Shared chunks in both formats: the testing entry must see the same layer registry and classes as the main
  // entry (a layer registered through one is deserialized by the kit through the other), not a second copy.
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
