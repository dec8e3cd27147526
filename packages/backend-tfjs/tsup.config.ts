import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', fused: 'src/fused/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // tfjs-core's gradient registrations exist only as extensionless ES modules (see src/register-gradients.ts):
  // bundle them so that Node can load the result. Everything else from tfjs-core stays an external import.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
