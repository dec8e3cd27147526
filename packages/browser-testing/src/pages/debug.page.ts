import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWebglBackend } from '@seqmodel/backend-webgl';
import { gru, initParams, lstm, resolveCellOptions, runSequence, simpleRNN } from '@seqmodel/core';
import { expose, pageReady } from '../in-page.js';

pageReady(
  (async () => {
    const gl = await createWebglBackend({ allowSoftwareRenderer: true });
    const cpu = createCpuBackend();
    expose('run', (cellName: string, grad: boolean, extra: Record<string, unknown>) => {
      const cell = { lstm, gru, simpleRNN }[cellName]!;
      const config = { inputSize: 3, units: 4 };
      const host = initParams(cell, { ...config, ...((extra.options ?? {}) as object) } as never, 5);
      const inputs = Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i));
      return [gl, cpu].map((b) => {
        const names = Object.keys(host);
        const params = names.map((n) => b.tensor(host[n]!.values, host[n]!.shape));
        const x = b.tensor(inputs, [2, 5, 3]);
        const f = (...ps: unknown[]) => {
          const p = Object.fromEntries(names.map((n, i) => [n, ps[i]]));
          const r = runSequence(b, {
            cell,
            units: 4,
            inputs: x,
            params: p as never,
            returnSequences: true,
            ...extra,
            options: resolveCellOptions(cell, (extra.options ?? {}) as never),
          });
          return b.sum(b.mul(r.output, r.output));
        };
        if (!grad) return Array.from(b.dataSync(f(...params)));
        const { value, grads } = b.valueAndGrads(f as never, params);
        return [Array.from(b.dataSync(value)), ...grads.map((g) => Array.from(b.dataSync(g)).slice(0, 6))];
      });
    });
  })(),
);
