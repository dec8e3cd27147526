import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // tfjs-core's chained-ops registration (needed by tfjs-layers) ships only as extensionless ES modules, which
  // Node cannot load: bundle it. Everything else stays an import of the installed packages.
  // @seqmodel/browser-testing is private and ships TypeScript only: bundled too.
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//, '@seqmodel/browser-testing'],
});
