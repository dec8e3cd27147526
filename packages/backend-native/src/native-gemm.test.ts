import { gemmProviderChecks, randomFloats } from '@seqmodel/backend-tfjs/testing';
import { describe, expect, it } from 'vitest';
import { isAvailable, nativeAddon } from './addon.js';
import { hasHostGemm, NativeGemm } from './native-gemm.js';

const availability = isAvailable();

describe.skipIf(!availability.available)(
  `NativeGemm${availability.available ? '' : ` (skipped: ${availability.reason})`}`,
  () => {
    const addon = availability.available ? nativeAddon() : undefined;
    if (!addon || !hasHostGemm(addon)) {
      it('the host addon multiplies JavaScript arrays', () => {
        expect(addon && hasHostGemm(addon)).toBe(true);
      });
      return;
    }
    const gemm = new NativeGemm(addon);
    for (const check of gemmProviderChecks(gemm)) it(check.name, check.run);

    it('the addon refuses arrays too short for the product, naming the argument, and frees a packed operand once', () => {
      const a = randomFloats(12, 'a');
      const b = randomFloats(20, 'b');
      const c = new Float32Array(15);
      // [3, 4]·[4, 5] fits; one more row of a, an offset past the end, a narrow leading dimension do not.
      addon.hostGemm(3, 5, 4, a, 0, 4, false, b, 0, 5, false, c, 0, 5, false);
      expect(() =>
        addon.hostGemm(4, 5, 4, a, 0, 4, false, b, 0, 5, false, new Float32Array(20), 0, 5, false),
      ).toThrow(
        /hostGemm: argument 3: expected a Float32Array holding 4 rows of 4 at offset 0 \(leading dimension 4\), received 12 elements/,
      );
      expect(() => addon.hostGemm(3, 5, 4, a, 0, 4, false, b, 1, 5, false, c, 0, 5, false)).toThrow(
        /hostGemm: argument 7: expected a Float32Array holding 4 rows of 5 at offset 1/,
      );
      expect(() => addon.hostGemm(3, 5, 4, a, 0, 3, false, b, 0, 5, false, c, 0, 5, false)).toThrow(
        /hostGemm: argument 5: expected a leading dimension of at least 4, received 3/,
      );
      expect(() =>
        addon.hostGemm(
          3,
          5,
          4,
          Float64Array.from(a) as unknown as Float32Array,
          0,
          4,
          false,
          b,
          0,
          5,
          false,
          c,
          0,
          5,
          false,
        ),
      ).toThrow(/hostGemm: argument 3: expected a Float32Array/);
      // Transposed views: a stored [4, 3] (ld 3) is op(a) [3, 4]; one column short of its array, or a leading
      // dimension below the stored row, is refused.
      addon.hostGemm(3, 5, 4, a, 0, 3, true, b, 0, 5, false, c, 0, 5, false);
      expect(() => addon.hostGemm(3, 5, 4, a, 1, 3, true, b, 0, 5, false, c, 0, 5, false)).toThrow(
        /hostGemm: argument 3: expected a Float32Array holding 4 rows of 3 at offset 1/,
      );
      expect(() => addon.hostGemm(3, 5, 4, a, 0, 2, true, b, 0, 5, false, c, 0, 5, false)).toThrow(
        /hostGemm: argument 5: expected a leading dimension of at least 3, received 2/,
      );
      // A view of part of a buffer (a subarray with a byte offset) is read from its own start: the same product.
      const buffer = new Float32Array(40);
      buffer.set(a, 7);
      const inPlace = new Float32Array(15);
      addon.hostGemm(3, 5, 4, buffer.subarray(7, 19), 0, 4, false, b, 0, 5, false, inPlace, 0, 5, false);
      addon.hostGemm(3, 5, 4, a, 0, 4, false, b, 0, 5, false, c, 0, 5, false);
      expect(Array.from(inPlace)).toEqual(Array.from(c));
      expect(() =>
        addon.hostGemm(3, 5, 4, buffer.subarray(7, 18), 0, 4, false, b, 0, 5, false, c, 0, 5, false),
      ).toThrow(/received 11 elements/);
      // An empty product still has its offsets inside the arrays.
      addon.hostGemm(0, 5, 4, a, 12, 4, false, b, 0, 5, false, c, 15, 5, false);
      expect(() => addon.hostGemm(0, 5, 4, a, 13, 4, false, b, 0, 5, false, c, 0, 5, false)).toThrow(
        /hostGemm: argument 3: expected a Float32Array holding 0 rows of 4 at offset 13/,
      );
      const packed = addon.hostPack(4, 5, b, 0, 5, false);
      addon.hostGemmPacked(3, a, 0, 4, packed, c, 0, 5, false);
      expect(() => addon.hostGemmPacked(3, a, 0, 4, packed, new Float32Array(14), 0, 5, false)).toThrow(
        /hostGemmPacked: argument 5: expected a Float32Array holding 3 rows of 5/,
      );
      addon.hostRelease(packed);
      addon.hostRelease(packed);
      expect(() => addon.hostGemmPacked(3, a, 0, 4, packed, c, 0, 5, false)).toThrow(
        /hostGemmPacked: argument 4: expected a live packed matrix \(this one was released\)/,
      );
      expect(() => addon.hostGemmPacked(3, a, 0, 4, {} as never, c, 0, 5, false)).toThrow(
        /hostGemmPacked: argument 4: expected a packed matrix \(from hostPack\)/,
      );
    });
  },
);
