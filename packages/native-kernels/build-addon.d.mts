/** Building an addon over the kernel library with node-gyp (see build-addon.mjs). */
export declare function runs(command: string, args: readonly string[]): boolean;
export declare function findCommand(candidates: readonly (string | undefined)[]): {
  found?: string;
  tried: string[];
};
export declare function buildAddon(options: {
  root: string;
  packageName: string;
  what: string;
  addonName: string;
  requirements: (kernels: typeof import('./paths.cjs')) => {
    env?: Record<string, string>;
    missing?: string;
  };
  sources: readonly string[];
  environment?: readonly string[];
}): void;
