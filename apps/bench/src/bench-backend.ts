/**
 * What a benchmarked backend is to the code that times it (`run-case.ts`, `run-layers.ts`, the browser page): below
 * the providers of `backends.ts`, which also open the browser pages whose results come back through `remote.ts`.
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import type { BenchCell } from './cells.js';
import type { BenchModel } from './models.js';
import type { RnnSize } from './sizes.js';
import type { BenchData } from './weights.js';

/**
 * Which seqmodel path the bench times (`--path`): the backend's fused kernels (a kernel of its own for the cell if it
 * has one, else the one compiled from the cell's step: today the compiled one for every cell on cpu and wasm), the
 * compiled kernels for every cell, or core's generic loop.
 */
export const benchPaths = ['fused', 'compiled', 'generic'] as const;
export type BenchPath = (typeof benchPaths)[number];

export interface BenchBackend {
  readonly name: string;
  /** The seqmodel backend: with its fused kernels, or without them for `--path generic`. */
  readonly backend: TfjsBackend;
  /** One line about the backend's setup (SIMD, threads, ...). */
  readonly details: string;
  /** tfjs-layers' model for `cell` on the same tfjs backend (only called for cells that tfjs-layers has). */
  layersModel(cell: BenchCell, size: RnnSize, data: BenchData): BenchModel;
  /** Memory figures that only this platform reports, in bytes (e.g. the wasm heap), by name. */
  platformMemory?(): Readonly<Record<string, number>>;
}
