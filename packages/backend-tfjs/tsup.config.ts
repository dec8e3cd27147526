import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', fused: 'src/fused/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  // Shared chunks in both formats (tsup splits only ESM by default): in CommonJS every entry would otherwise carry
  // its own copy of the package's module state, so a cell registered through the main entry would be unknown to
  // the testing entry's kits.
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // tfjs-core's gradient registrations exist only as extensionless ES modules (see src/register-gradients.ts):
  // bundle them so that Node can load the result. Everything else from tfjs-core stays an external import.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
