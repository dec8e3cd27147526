import { describe, expect, it } from 'vitest';
import { gemmProviderChecks } from '../testing/gemm-checks.js';
import { hostMatrix } from './gemm.js';
import { JsGemm } from './js-gemm.js';

describe('JsGemm', () => {
  const gemm = new JsGemm();
  for (const check of gemmProviderChecks(gemm)) it(check.name, check.run);

  it('refuses products whose shapes do not fit (a driver bug, not user input)', () => {
    const a = hostMatrix(new Float32Array(6), 2, 3);
    const b = hostMatrix(new Float32Array(8), 4, 2);
    expect(() => gemm.multiply(a, false, b, false, hostMatrix(new Float32Array(4), 2, 2), false)).toThrow(
      'fused kernel product: [2, 3]·[4, 2] into [2, 2] (internal error)',
    );
  });
});
