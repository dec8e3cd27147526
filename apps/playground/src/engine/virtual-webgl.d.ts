/**
 * `virtual:seqmodel-webgl`, made by `webgl-build.ts` at build time. The page uses only this much of
 * `@seqmodel/backend-webgl`, typed here so that the page typechecks in a workspace without the package.
 */
declare module 'virtual:seqmodel-webgl' {
  import type { Backend } from '@seqmodel/core';

  export interface WebglModule {
    createWebglBackend(options?: { readonly allowSoftwareRenderer?: boolean }): Promise<Backend<unknown>>;
    webglInfo(): Promise<
      | {
          readonly renderer: string;
          readonly softwareRenderer: boolean;
          readonly precision: 32 | 16;
        }
      | undefined
    >;
  }

  /** Why this build has no WebGL; undefined where it has. */
  export const webglMissing: string | undefined;
  /** Loads `@seqmodel/backend-webgl` (its own chunk); undefined where the build has no WebGL. */
  export const loadWebgl: (() => Promise<WebglModule>) | undefined;
}
