#!/usr/bin/env node
// Prepares the GPU check for a machine with an NVIDIA GPU and no Node: writes packages/backend-cuda/gpu-bundle/
// (git-ignored) with
//   check.mjs       esbuild bundle of gpu-check/check.ts (the conformance kits, the sanitizer workload, the PyTorch
//                   cases) with every workspace package and tfjs inlined;
//   node.xz         this machine's Node binary, xz-compressed (it needs only glibc);
//   node-include/   Node's N-API headers, for nvcc to compile the addon there.
// Then, on the GPU machine, from a copy of the repository's working tree with gpu-bundle beside it:
//   bash packages/backend-cuda/scripts/gpu-check.sh
// (with the device `run` tool: command "bash packages/backend-cuda/scripts/gpu-check.sh", carry
// ["packages/backend-cuda/gpu-bundle"]). About 25 MB travel. `--bundle-only` skips the Node binary (its xz takes
// minutes on a loaded machine): what src/gpu-check.test.ts uses.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'gpu-bundle');
const bundleOnly = process.argv.includes('--bundle-only');
if (!bundleOnly) rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'node-include'), { recursive: true });

await build({
  entryPoints: [join(root, 'gpu-check', 'check.ts')],
  outfile: join(out, 'check.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Workspace packages from their TypeScript sources, as the tests import them.
  conditions: ['@seqmodel/source'],
  // CommonJS dependencies (tfjs) call require for Node's built-ins inside the ES module.
  banner: {
    js: "import { createRequire as __seqmodelRequire } from 'node:module'; const require = __seqmodelRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

const headers = join(dirname(process.execPath), '..', 'include', 'node');
for (const header of ['node_api.h', 'node_api_types.h', 'js_native_api.h', 'js_native_api_types.h']) {
  if (!existsSync(join(headers, header))) {
    console.error(
      `prepare-gpu-check: ${join(headers, header)} is missing (Node's headers are needed to build the addon there)`,
    );
    process.exit(1);
  }
  copyFileSync(join(headers, header), join(out, 'node-include', header));
}

if (bundleOnly) {
  console.log(
    'prepare-gpu-check: gpu-bundle/check.mjs and node-include/ written (--bundle-only: no Node binary)',
  );
  process.exit(0);
}
const xz = spawnSync(
  'sh',
  ['-c', `xz -T0 -6 -c ${JSON.stringify(process.execPath)} > ${JSON.stringify(join(out, 'node.xz'))}`],
  {
    stdio: 'inherit',
  },
);
if (xz.status !== 0) {
  console.error('prepare-gpu-check: xz failed (install xz-utils)');
  process.exit(1);
}
writeFileSync(join(out, 'node-version.txt'), `${process.version} ${process.platform} ${process.arch}\n`);
const mb = (file) => (statSync(join(out, file)).size / 2 ** 20).toFixed(1);
console.log(
  `prepare-gpu-check: gpu-bundle/check.mjs ${mb('check.mjs')} MiB, node.xz ${mb('node.xz')} MiB (${process.version}); run on the GPU machine: bash packages/backend-cuda/scripts/gpu-check.sh`,
);
