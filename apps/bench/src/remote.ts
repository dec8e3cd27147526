/**
 * A backend whose cases run in another JavaScript environment (a browser page, see `browser.ts` and
 * `browser-page.ts`): what the runner asks of it, and what comes back. Only types; nothing here runs.
 */
import type { AttentionCaseRecord } from './attention/records.js';
import type { Timing } from './interleave.js';
import type { PathsCase, PathsCaseConfig } from './paths-case.js';
import type { BenchMode, CaseRun, ModeRun } from './run-case.js';
import type { RnnSize } from './sizes.js';

export interface RemoteCaseOptions {
  readonly modes: readonly BenchMode[];
  readonly warmup: number;
  readonly repeats: number;
  readonly minTimeMs: number;
  readonly seed: number;
}

/** A mode's results as they come back, with the programs one run of each contender launched. */
export interface RemoteModeRun {
  readonly caseRun: CaseRun;
  readonly modeRun: ModeRun;
  /** GPU programs launched by one run: seqmodel's, then tfjs-layers' where it ran (the backend's own counter). */
  readonly programs: readonly number[];
}

/** How an attention case runs in the page (`runAttentionCase`). */
export interface RemoteAttentionOptions {
  readonly warmup: number;
  readonly repeats: number;
  readonly minTimeMs: number;
  readonly seed: number;
}

export interface RemoteBench {
  readonly name: string;
  /** One line about the backend's setup: the browser, the renderer or adapter, the path. */
  readonly details: string;
  matMul(
    n: number,
    repeats: number,
  ): Promise<{ readonly n: number; readonly timing: Timing; readonly gflops: number }>;
  runCase(cellKey: string, size: RnnSize, options: RemoteCaseOptions): Promise<RemoteModeRun[]>;
  /** The attention case `caseName` (`attentionCases`), run as in Node: its records. */
  runAttentionCase(caseName: string, options: RemoteAttentionOptions): Promise<AttentionCaseRecord[]>;
  close(): Promise<void>;
}

/** A page with the backend on every path (`bench paths` on webgl and webgpu): each case timed there, in turns. */
export interface RemotePaths {
  /** One line about the backend's setup (the browser, the renderer or adapter). */
  readonly details: string;
  runPathsCase(cellKey: string, size: RnnSize, config: PathsCaseConfig): Promise<PathsCase[]>;
  close(): Promise<void>;
}
