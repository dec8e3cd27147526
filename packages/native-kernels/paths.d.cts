/** Where the kernel library's sources are (see paths.cjs). */
export declare const includeDirectory: string;
export declare const sourceDirectory: string;
export declare const hostSources: readonly string[];
export declare const cudaDirectory: string;
export declare const napiDirectory: string;
export declare const cudaSources: readonly string[];
export declare const buildScript: string;
