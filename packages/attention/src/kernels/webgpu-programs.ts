/**
 * The WGSL compute programs of the flash attention kernel on tfjs-backend-webgpu (`webgpu-kernel.ts`), as
 * tfjs-webgpu 4.22 `WebGPUProgram`s: tfjs writes the bindings (`result`, then one `array<f32>` per input, then its
 * uniforms) and the entry point, which stores the invocation's ids in `localIndex` / `workgroupId` and calls
 * `main()`. Every size, stride and option is a constant of the source (tfjs caches one pipeline per source and
 * shapes), so the loops have constant trip counts or bounds uniform over the workgroup.
 *
 * - `forward`: one workgroup per (query block of 64 rows, batch·head), one invocation per query row; keys and values
 *   stream through workgroup memory in tiles, the online softmax keeps a running maximum and sum per row. It writes
 *   the output rows, and with `logSumExp` each row's log-sum-exp after them (`[rows, dv + 1]`), for the backward
 *   pass.
 * - `stats`: per query row, the log-sum-exp and `D = rowsum(dO ⊙ O)` (`[rows, 2]`).
 * - `queryGradient`: dQ, over query blocks as `forward` (the weights recomputed from Q, K and the log-sum-exp).
 * - `keyValueGradient`: dK and dV side by side (`[keyRows, d + dv]`), one workgroup per (key block of 64, batch·key
 *   head), one invocation per key, looping over the group's query heads and query tiles: each key's gradients are
 *   summed by the one invocation that owns it, so no atomics.
 *
 * Masked keys (key padding, the mask, the causal limit, keys past the end) get no weight; a row without any allowed
 * key has a zero output and zero gradients, as on the generic path.
 */
import type { AttentionShape } from './flash-attention.js';

/** The problem a program is built for (the kernel contract's sizes and options). */
export interface WgslFlashProblem extends AttentionShape {
  /** Element strides of the mask broadcast to `[B, H, Tq, Tk]` (0 on broadcast axes); undefined without a mask. */
  readonly maskStrides?: readonly [number, number, number, number] | undefined;
  /** Whether dropout factors `[B, H, Tq, Tk]` are an input. */
  readonly dropout: boolean;
}

/** tfjs-backend-webgpu 4.22's `WebGPUProgram`, the part these programs use. */
export interface WgslProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  getUserCode(): string;
}

/** Query rows (forward, dQ) or keys (dK/dV) per workgroup: one invocation each. */
export const WGSL_FLASH_ROWS = 64;

/**
 * Floats of workgroup memory a program's tiles may use: WebGPU's guaranteed 16 KiB, less 16 bytes for the
 * workgroup's ids (`vec2<i32>`, aligned).
 */
const WORKGROUP_FLOATS = 4096 - 4;

/** The most `depth + valueDepth` the programs take (private arrays per invocation, tiles of at least 8 rows). */
export const WGSL_FLASH_MAX_DEPTHS = 480;

/** Workgroups per dispatch dimension WebGPU guarantees. */
export const WGSL_MAX_WORKGROUPS = 65535;

/** Keys per tile (forward, dQ) or query rows per tile (dK/dV): as many as workgroup memory holds, at most 32. */
export function tileRows(floatsPerRow: number): number {
  return Math.max(1, Math.min(32, Math.floor(WORKGROUP_FLOATS / floatsPerRow)));
}

/** Why the programs cannot run `p`, or undefined. */
export function wgslFlashUnsupported(p: WgslFlashProblem): string | undefined {
  if (p.depth + p.valueDepth > WGSL_FLASH_MAX_DEPTHS) {
    return `depth + valueDepth is ${p.depth + p.valueDepth}, more than the ${WGSL_FLASH_MAX_DEPTHS} its WGSL programs keep per invocation`;
  }
  const blocks = Math.max(
    Math.ceil(p.queryLength / WGSL_FLASH_ROWS),
    Math.ceil(p.keyLength / WGSL_FLASH_ROWS),
    p.batch * p.heads,
    Math.ceil((p.batch * p.heads * p.queryLength) / WGSL_FLASH_ROWS),
  );
  if (blocks > WGSL_MAX_WORKGROUPS) {
    return `it would dispatch ${blocks} workgroups along one dimension, more than WebGPU's ${WGSL_MAX_WORKGROUPS}`;
  }
  return undefined;
}

const f32 = (x: number) => {
  const s = String(Math.fround(x));
  return /[.eE]/.test(s) ? s : `${s}.0`;
};

/** The constants every program declares. */
function constants(p: WgslFlashProblem): string {
  const [s0, s1, s2, s3] = p.maskStrides ?? [0, 0, 0, 0];
  return `
const B: i32 = ${p.batch};
const H: i32 = ${p.heads};
const HK: i32 = ${p.keyHeads};
const G: i32 = ${p.heads / p.keyHeads};
const TQ: i32 = ${p.queryLength};
const TK: i32 = ${p.keyLength};
const D: i32 = ${p.depth};
const DV: i32 = ${p.valueDepth};
const SCALE: f32 = ${f32(p.scale)};
const OFFSET: i32 = ${p.queryOffset};
const ROWS: i32 = ${WGSL_FLASH_ROWS};
const MS0: i32 = ${s0};
const MS1: i32 = ${s1};
const MS2: i32 = ${s2};
const MS3: i32 = ${s3};
`;
}

/**
 * `allowed(b, h, i, j)`: whether query `i` of head (b, h) may attend to key `j` (both in range): the causal limit,
 * the mask (input `mask`). Reads the mask only where asked.
 */
function allowedFunction(p: WgslFlashProblem): string {
  const causal = p.causal ? 'j <= i + OFFSET' : 'true';
  const mask = p.maskStrides ? 'f32(mask[b * MS0 + h * MS1 + i * MS2 + j * MS3]) > 0.0' : 'true';
  return `
fn allowed(b: i32, h: i32, i: i32, j: i32) -> bool {
  if (!(${causal})) {
    return false;
  }
  return ${mask};
}
`;
}

/** The dropout factor of (b·H + h, i, j): input `keep`, or 1. */
function keepExpr(p: WgslFlashProblem, bh: string, i: string, j: string): string {
  return p.dropout ? `f32(keep[((${bh}) * TQ + (${i})) * TK + (${j})])` : '1.0';
}

/** Input names of the forward program. */
function forwardInputs(p: WgslFlashProblem): string[] {
  return ['query', 'key', 'value', ...(p.maskStrides ? ['mask'] : []), ...(p.dropout ? ['keep'] : [])];
}

/** Input names of the backward programs. */
function backwardInputs(p: WgslFlashProblem): string[] {
  return [
    'query',
    'key',
    'value',
    'stats',
    'outputGradient',
    ...(p.maskStrides ? ['mask'] : []),
    ...(p.dropout ? ['keep'] : []),
  ];
}

/**
 * The last key (exclusive) the query rows of the workgroup's block may see, from `qBlock` (uniform): every key
 * without causal attention.
 */
function keyEndSnippet(p: WgslFlashProblem): string {
  return p.causal
    ? `let lastRow = min(qBlock * ROWS + ROWS, TQ) - 1;
  let keyEnd = clamp(lastRow + OFFSET + 1, 0, TK);`
    : 'let keyEnd = TK;';
}

function program(
  name: string,
  variableNames: string[],
  outputShape: number[],
  dispatch: [number, number, number],
  code: string,
): WgslProgram {
  return {
    variableNames,
    outputShape,
    // tfjs keys its pipeline cache by shader key and the inputs' shapes; the source holds everything else.
    shaderKey: `seqmodel flash attention ${name} ${code}`,
    dispatchLayout: { x: [1], y: [0] },
    dispatch,
    workgroupSize: [WGSL_FLASH_ROWS, 1, 1],
    size: false,
    getUserCode: () => code,
  };
}

/**
 * The forward program: output `[B·H·Tq, dv]`, or `[B·H·Tq, dv + 1]` with each row's log-sum-exp in the last column
 * when `logSumExp` (0 for a row without an allowed key).
 */
export function forwardProgram(p: WgslFlashProblem, logSumExp: boolean): WgslProgram {
  const bc = tileRows(p.depth + p.valueDepth);
  const width = logSumExp ? p.valueDepth + 1 : p.valueDepth;
  const code = `${constants(p)}
const BC: i32 = ${bc};
const WIDTH: i32 = ${width};
var<workgroup> kTile: array<f32, ${bc * p.depth}>;
var<workgroup> vTile: array<f32, ${bc * p.valueDepth}>;
var<workgroup> ids: vec2<i32>;
${allowedFunction(p)}
fn main() {
  // tfjs binds its uniforms to every program; WebGPU drops a binding the shader never uses.
  _ = uniforms.NAN;
  if (localIndex == 0u) {
    ids = vec2<i32>(i32(workgroupId.x), i32(workgroupId.y));
  }
  let wg = workgroupUniformLoad(&ids);
  let qBlock = wg.x;
  let bh = wg.y;
  let b = bh / H;
  let h = bh - b * H;
  let kvBase = (b * HK + h / G) * TK;
  let lid = i32(localIndex);
  let row = qBlock * ROWS + lid;
  let live = row < TQ;
  let qRow = min(row, TQ - 1);
  var q: array<f32, ${p.depth}>;
  for (var c: i32 = 0; c < D; c++) {
    q[c] = query[(bh * TQ + qRow) * D + c] * SCALE;
  }
  var acc: array<f32, ${p.valueDepth}>;
  for (var c: i32 = 0; c < DV; c++) {
    acc[c] = 0.0;
  }
  var m: f32 = 0.0;
  var l: f32 = 0.0;
  var seen = false;
  ${keyEndSnippet(p)}
  for (var j0: i32 = 0; j0 < keyEnd; j0 += BC) {
    for (var e: i32 = lid; e < BC * D; e += ROWS) {
      let j = min(j0 + e / D, TK - 1);
      kTile[e] = key[(kvBase + j) * D + e % D];
    }
    for (var e: i32 = lid; e < BC * DV; e += ROWS) {
      let j = min(j0 + e / DV, TK - 1);
      vTile[e] = value[(kvBase + j) * DV + e % DV];
    }
    workgroupBarrier();
    var s: array<f32, ${bc}>;
    var ok: u32 = 0u;
    var blockMax: f32 = 0.0;
    for (var jj: i32 = 0; jj < BC; jj++) {
      let j = j0 + jj;
      if (live && j < TK && allowed(b, h, row, j)) {
        var sc: f32 = 0.0;
        for (var c: i32 = 0; c < D; c++) {
          sc += q[c] * kTile[jj * D + c];
        }
        s[jj] = sc;
        blockMax = select(sc, max(blockMax, sc), ok != 0u);
        ok = ok | (1u << u32(jj));
      }
    }
    if (ok != 0u) {
      var mNew = blockMax;
      var alpha: f32 = 0.0;
      if (seen) {
        mNew = max(m, blockMax);
        alpha = exp(m - mNew);
      }
      l = l * alpha;
      for (var c: i32 = 0; c < DV; c++) {
        acc[c] = acc[c] * alpha;
      }
      for (var jj: i32 = 0; jj < BC; jj++) {
        if ((ok & (1u << u32(jj))) != 0u) {
          let pw = exp(s[jj] - mNew);
          l += pw;
          let pk = pw * ${keepExpr(p, 'bh', 'row', 'j0 + jj')};
          for (var c: i32 = 0; c < DV; c++) {
            acc[c] += pk * vTile[jj * DV + c];
          }
        }
      }
      m = mNew;
      seen = true;
    }
    workgroupBarrier();
  }
  if (live) {
    let base = (bh * TQ + row) * WIDTH;
    let inv = select(0.0, 1.0 / l, l > 0.0);
    for (var c: i32 = 0; c < DV; c++) {
      result[base + c] = acc[c] * inv;
    }
${logSumExp ? '    result[base + DV] = select(0.0, m + log(l), l > 0.0);\n' : ''}  }
}
`;
  return program(
    logSumExp ? 'forward+lse' : 'forward',
    forwardInputs(p),
    [p.batch * p.heads * p.queryLength, width],
    [Math.ceil(p.queryLength / WGSL_FLASH_ROWS), p.batch * p.heads, 1],
    code,
  );
}

/** Per query row: `[logSumExp, rowsum(dO ⊙ O)]` from the forward program's `[rows, dv + 1]` output and dO. */
export function statsProgram(p: WgslFlashProblem): WgslProgram {
  const rows = p.batch * p.heads * p.queryLength;
  const code = `
const ROWS_TOTAL: i32 = ${rows};
const DV: i32 = ${p.valueDepth};
fn main() {
  // tfjs binds its uniforms to every program; WebGPU drops a binding the shader never uses.
  _ = uniforms.NAN;
  let r = i32(workgroupId.x) * ${WGSL_FLASH_ROWS} + i32(localIndex);
  if (r < ROWS_TOTAL) {
    var d: f32 = 0.0;
    for (var c: i32 = 0; c < DV; c++) {
      d += outputGradient[r * DV + c] * forward[r * (DV + 1) + c];
    }
    result[r * 2] = forward[r * (DV + 1) + DV];
    result[r * 2 + 1] = d;
  }
}
`;
  return program(
    'stats',
    ['forward', 'outputGradient'],
    [rows, 2],
    [Math.ceil(rows / WGSL_FLASH_ROWS), 1, 1],
    code,
  );
}

/** dQ `[B·H·Tq, d]`, from query, key, value, stats (`statsProgram`), dO (, mask)(, keep). */
export function queryGradientProgram(p: WgslFlashProblem): WgslProgram {
  const bc = tileRows(p.depth + p.valueDepth);
  const code = `${constants(p)}
const BC: i32 = ${bc};
var<workgroup> kTile: array<f32, ${bc * p.depth}>;
var<workgroup> vTile: array<f32, ${bc * p.valueDepth}>;
var<workgroup> ids: vec2<i32>;
${allowedFunction(p)}
fn main() {
  // tfjs binds its uniforms to every program; WebGPU drops a binding the shader never uses.
  _ = uniforms.NAN;
  if (localIndex == 0u) {
    ids = vec2<i32>(i32(workgroupId.x), i32(workgroupId.y));
  }
  let wg = workgroupUniformLoad(&ids);
  let qBlock = wg.x;
  let bh = wg.y;
  let b = bh / H;
  let h = bh - b * H;
  let kvBase = (b * HK + h / G) * TK;
  let lid = i32(localIndex);
  let row = qBlock * ROWS + lid;
  let live = row < TQ;
  let r = bh * TQ + min(row, TQ - 1);
  var q: array<f32, ${p.depth}>;
  var dq: array<f32, ${p.depth}>;
  for (var c: i32 = 0; c < D; c++) {
    q[c] = query[r * D + c] * SCALE;
    dq[c] = 0.0;
  }
  var dO: array<f32, ${p.valueDepth}>;
  for (var c: i32 = 0; c < DV; c++) {
    dO[c] = outputGradient[r * DV + c];
  }
  let lse = stats[r * 2];
  let dRow = stats[r * 2 + 1];
  ${keyEndSnippet(p)}
  for (var j0: i32 = 0; j0 < keyEnd; j0 += BC) {
    for (var e: i32 = lid; e < BC * D; e += ROWS) {
      let j = min(j0 + e / D, TK - 1);
      kTile[e] = key[(kvBase + j) * D + e % D];
    }
    for (var e: i32 = lid; e < BC * DV; e += ROWS) {
      let j = min(j0 + e / DV, TK - 1);
      vTile[e] = value[(kvBase + j) * DV + e % DV];
    }
    workgroupBarrier();
    for (var jj: i32 = 0; jj < BC; jj++) {
      let j = j0 + jj;
      if (live && j < TK && allowed(b, h, row, j)) {
        var s: f32 = 0.0;
        var dp: f32 = 0.0;
        for (var c: i32 = 0; c < D; c++) {
          s += q[c] * kTile[jj * D + c];
        }
        for (var c: i32 = 0; c < DV; c++) {
          dp += dO[c] * vTile[jj * DV + c];
        }
        let pw = exp(s - lse);
        let ds = pw * (dp * ${keepExpr(p, 'bh', 'row', 'j')} - dRow);
        for (var c: i32 = 0; c < D; c++) {
          dq[c] += ds * kTile[jj * D + c];
        }
      }
    }
    workgroupBarrier();
  }
  if (live) {
    for (var c: i32 = 0; c < D; c++) {
      result[r * D + c] = dq[c] * SCALE;
    }
  }
}
`;
  return program(
    'dQ',
    backwardInputs(p),
    [p.batch * p.heads * p.queryLength, p.depth],
    [Math.ceil(p.queryLength / WGSL_FLASH_ROWS), p.batch * p.heads, 1],
    code,
  );
}

/** dK and dV side by side, `[B·Hk·Tk, d + dv]`, from the same inputs as {@link queryGradientProgram}. */
export function keyValueGradientProgram(p: WgslFlashProblem): WgslProgram {
  const bq = tileRows(p.depth + p.valueDepth + 2);
  const firstQuery = p.causal
    ? // The first query that may see the block's first key, rounded down to a tile.
      'let qStart = (clamp(kBlock * ROWS - OFFSET, 0, TQ) / BQ) * BQ;'
    : 'let qStart = 0;';
  const code = `${constants(p)}
const BQ: i32 = ${bq};
var<workgroup> qTile: array<f32, ${bq * p.depth}>;
var<workgroup> dOTile: array<f32, ${bq * p.valueDepth}>;
var<workgroup> sTile: array<f32, ${bq * 2}>;
var<workgroup> ids: vec2<i32>;
${allowedFunction(p)}
fn main() {
  // tfjs binds its uniforms to every program; WebGPU drops a binding the shader never uses.
  _ = uniforms.NAN;
  if (localIndex == 0u) {
    ids = vec2<i32>(i32(workgroupId.x), i32(workgroupId.y));
  }
  let wg = workgroupUniformLoad(&ids);
  let kBlock = wg.x;
  let bg = wg.y;
  let b = bg / HK;
  let g = bg - b * HK;
  let lid = i32(localIndex);
  let j = kBlock * ROWS + lid;
  let live = j < TK;
  let kr = bg * TK + min(j, TK - 1);
  var k: array<f32, ${p.depth}>;
  var dk: array<f32, ${p.depth}>;
  for (var c: i32 = 0; c < D; c++) {
    k[c] = key[kr * D + c] * SCALE;
    dk[c] = 0.0;
  }
  var v: array<f32, ${p.valueDepth}>;
  var dv: array<f32, ${p.valueDepth}>;
  for (var c: i32 = 0; c < DV; c++) {
    v[c] = value[kr * DV + c];
    dv[c] = 0.0;
  }
  ${firstQuery}
  for (var hh: i32 = 0; hh < G; hh++) {
    let h = g * G + hh;
    let bh = b * H + h;
    for (var i0: i32 = qStart; i0 < TQ; i0 += BQ) {
      for (var e: i32 = lid; e < BQ * D; e += ROWS) {
        let i = min(i0 + e / D, TQ - 1);
        qTile[e] = query[(bh * TQ + i) * D + e % D];
      }
      for (var e: i32 = lid; e < BQ * DV; e += ROWS) {
        let i = min(i0 + e / DV, TQ - 1);
        dOTile[e] = outputGradient[(bh * TQ + i) * DV + e % DV];
      }
      for (var e: i32 = lid; e < BQ * 2; e += ROWS) {
        let i = min(i0 + e / 2, TQ - 1);
        sTile[e] = stats[(bh * TQ + i) * 2 + e % 2];
      }
      workgroupBarrier();
      for (var ii: i32 = 0; ii < BQ; ii++) {
        let i = i0 + ii;
        if (live && i < TQ && allowed(b, h, i, j)) {
          var s: f32 = 0.0;
          var dp: f32 = 0.0;
          for (var c: i32 = 0; c < D; c++) {
            s += k[c] * qTile[ii * D + c];
          }
          for (var c: i32 = 0; c < DV; c++) {
            dp += v[c] * dOTile[ii * DV + c];
          }
          let pw = exp(s - sTile[ii * 2]);
          let kp = ${keepExpr(p, 'bh', 'i', 'j')};
          let pk = pw * kp;
          for (var c: i32 = 0; c < DV; c++) {
            dv[c] += pk * dOTile[ii * DV + c];
          }
          let ds = pw * (dp * kp - sTile[ii * 2 + 1]);
          for (var c: i32 = 0; c < D; c++) {
            dk[c] += ds * qTile[ii * D + c];
          }
        }
      }
      workgroupBarrier();
    }
  }
  if (live) {
    let base = kr * (D + DV);
    for (var c: i32 = 0; c < D; c++) {
      result[base + c] = dk[c] * SCALE;
    }
    for (var c: i32 = 0; c < DV; c++) {
      result[base + D + c] = dv[c];
    }
  }
}
`;
  return program(
    'dK dV',
    backwardInputs(p),
    [p.batch * p.keyHeads * p.keyLength, p.depth + p.valueDepth],
    [Math.ceil(p.keyLength / WGSL_FLASH_ROWS), p.batch * p.keyHeads, 1],
    code,
  );
}
