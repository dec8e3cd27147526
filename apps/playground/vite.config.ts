import { defaultClientConditions, defineConfig } from 'vite';

// The packages are read from their TypeScript sources (the `@seqmodel/source` export condition), as the tests do,
// so `pnpm playground` needs no build first. `base: './'` makes the built site work from any folder it is served
// from; everything (tfjs, the wasm binaries, Moby-Dick) is bundled, nothing comes from a CDN.
export default defineConfig({
  base: './',
  resolve: { conditions: ['@seqmodel/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 3000, reportCompressedSize: false },
  preview: { port: 4173 },
  server: { port: 5173 },
});
