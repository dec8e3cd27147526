#!/usr/bin/env node
// Builds the native addon (build/Release/seqmodel_native.node) with node-gyp when a C++ compiler is present; the
// steps, flags and status file are @seqmodel/native-kernels' build-addon.mjs (see there).
// SEQMODEL_NATIVE_SANITIZE=address builds with AddressSanitizer (see the README).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const packageName = '@seqmodel/backend-native';
let build;
try {
  build = await import(
    pathToFileURL(createRequire(import.meta.url)('@seqmodel/native-kernels/paths').buildScript).href
  );
} catch (error) {
  console.log(
    `${packageName}: native addon not built: @seqmodel/native-kernels is not installed (${error.message})`,
  );
  process.exit(0);
}

build.buildAddon({
  root,
  packageName,
  what: 'native addon',
  addonName: 'seqmodel_native',
  sources: [join(root, 'binding.gyp'), join(root, 'addon')],
  environment: ['SEQMODEL_NATIVE_SANITIZE'],
  requirements: () => {
    const compiler = build.findCommand([process.env.CXX, 'c++', 'g++', 'clang++']);
    if (!compiler.found) {
      return {
        missing: `no C++ compiler found (tried ${compiler.tried.join(', ')}); install one (Debian: apt-get install g++) or set CXX, then run "npm run build:addon" in ${packageName}`,
      };
    }
    return { env: { CXX: process.env.CXX || compiler.found } };
  },
});
