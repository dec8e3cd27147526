/**
 * Whether the page is built with WebGL. `@seqmodel/backend-webgl` is found by its name from this app (a
 * dependency) or else in the workspace's `packages/` folder; if it is found, the virtual module
 * `virtual:seqmodel-webgl` loads it lazily (its own chunk, fetched only when WebGL is chosen), and otherwise it says
 * why the page has no WebGL, which the page shows beside its backend switch. Nothing else in the page names the
 * package, so a workspace without it builds and runs on wasm and cpu.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

export const WEBGL_PACKAGE = '@seqmodel/backend-webgl';
const VIRTUAL_ID = 'virtual:seqmodel-webgl';
const appDir = dirname(fileURLToPath(import.meta.url));

/** The folder of `@seqmodel/backend-webgl` as this app sees it, or undefined where the workspace has none. */
function packageDir(): string | undefined {
  try {
    return dirname(createRequire(join(appDir, 'package.json')).resolve(`${WEBGL_PACKAGE}/package.json`));
  } catch {
    const inWorkspace = join(appDir, '..', '..', 'packages', 'backend-webgl');
    return existsSync(join(inWorkspace, 'package.json')) ? inWorkspace : undefined;
  }
}

/**
 * The TypeScript entry of `@seqmodel/backend-webgl` (its `@seqmodel/source` export, as for every workspace package
 * the page bundles), or why there is none.
 */
export function webglEntry(): { entry: string } | { missing: string } {
  const dir = packageDir();
  if (dir === undefined)
    return { missing: `${WEBGL_PACKAGE} is not in the workspace this page was built from` };
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name?: string;
    exports?: { '.'?: { '@seqmodel/source'?: string } };
  };
  const source = manifest.exports?.['.']?.['@seqmodel/source'];
  if (manifest.name !== WEBGL_PACKAGE || source === undefined)
    return { missing: `${dir} is not ${WEBGL_PACKAGE} with a '@seqmodel/source' export` };
  return { entry: join(dir, source) };
}

/** The Vite plugin behind `virtual:seqmodel-webgl`. */
export function webglPlugin(): Plugin {
  const found = webglEntry();
  return {
    name: 'seqmodel-webgl',
    resolveId(id) {
      if (id === VIRTUAL_ID) return `\0${VIRTUAL_ID}`;
      // By name from the app's folder where it is a dependency; the workspace folder otherwise.
      if (id === WEBGL_PACKAGE && 'entry' in found) return found.entry;
      return undefined;
    },
    load(id) {
      if (id !== `\0${VIRTUAL_ID}`) return undefined;
      return 'entry' in found
        ? `export const webglMissing = undefined;\nexport const loadWebgl = () => import(${JSON.stringify(WEBGL_PACKAGE)});\n`
        : `export const webglMissing = ${JSON.stringify(found.missing)};\nexport const loadWebgl = undefined;\n`;
    },
  };
}
