/**
 * The addon refuses bad calls with a JavaScript error instead of reaching C++ with them: wrong types, freed or
 * foreign handles, buffers too small for what a kernel would touch, strided views reaching outside a buffer,
 * gather indices out of range, nonsensical sequence configurations. Every call below would corrupt memory or crash
 * the process if it got through; the test passing means the process is still here.
 */
import { describe, expect, it } from 'vitest';
import { isAvailable, type NativeAddon, type NativeBuffer, nativeAddon } from './addon.js';
import { binaryOps, reduceOps, unaryOps } from './ops.js';

const availability = isAvailable();

describe.skipIf(!availability.available)(
  `native addon argument checks${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  () => {
    const addon = (availability.available ? nativeAddon() : undefined) as NativeAddon;
    const f32 = (values: number[]): NativeBuffer => {
      const b = addon.alloc(4 * values.length);
      addon.write(b, Float32Array.from(values), 0);
      return b;
    };
    /**
     * A sequenceForward call with configuration `dims`, every required buffer `b` and no optional one; `saved` is the
     * last argument (the buffers a training forward pass keeps), null unless a test passes something wrong there.
     */
    const sequenceForwardWith = (dims: number[], b: NativeBuffer, saved: NativeBuffer[] | null = null) =>
      addon.sequenceForward(dims, [0, 0, 0], b, b, b, null, null, null, null, null, b, b, null, saved);
    const refuses = (what: string, call: () => unknown, message: RegExp) =>
      it(`refuses ${what}`, () => {
        expect(call).toThrow(message);
      });

    refuses(
      'a missing argument',
      () => (addon.unary as (...a: unknown[]) => void)(0, 0),
      /unary: expected 7 arguments, received 2/,
    );
    refuses(
      'a number where a buffer goes',
      () => addon.unary(0, 0, 5 as never, 6 as never, 1, 0, 0),
      /argument 2: expected a native buffer/,
    );
    refuses(
      'a plain object where a buffer goes',
      () => addon.free({} as never),
      /free: argument 0: expected a native buffer/,
    );
    refuses(
      'a freed buffer',
      () => {
        const b = f32([1, 2]);
        addon.free(b);
        addon.read(b, new Float32Array(2), 0);
      },
      /freed/,
    );
    refuses(
      'freeing twice',
      () => {
        const b = f32([1]);
        addon.free(b);
        addon.free(b);
      },
      /freed/,
    );
    refuses(
      'a count larger than the buffers',
      () => addon.unary(0, 0, f32([1, 2]), f32([0, 0]), 3, 0, 0),
      /at least 3 elements of 4 bytes, received 8 bytes/,
    );
    refuses(
      'an unknown op',
      () => addon.unary(unaryOps.length, 0, f32([1]), f32([0]), 1, 0, 0),
      /argument 0: expected an integer in \[0, 28\]/,
    );
    refuses(
      'a negative count',
      () => addon.fill(0, f32([1]), -1, 0),
      /argument 2: expected an integer in \[0/,
    );
    refuses('a fractional size', () => addon.alloc(1.5), /argument 0: expected an integer/);
    refuses(
      'a read past the end',
      () => addon.read(f32([1, 2]), new Float32Array(3), 0),
      /past the buffer's end/,
    );
    refuses('a write past the end', () => addon.write(f32([1]), new Float32Array(2), 0), /does not fit/);
    refuses(
      'broadcast strides reaching outside an operand',
      () =>
        addon.binary(
          binaryOps.indexOf('add'),
          0,
          f32([1, 2]),
          f32([1, 2]),
          f32([0, 0, 0, 0]),
          [2, 2],
          [2, 1],
          [0, 1],
        ),
      /reaches elements \[0, 3\], outside its 2 elements/,
    );
    refuses(
      'strides of another rank than the shape',
      () => addon.binary(0, 0, f32([1]), f32([1]), f32([0]), [1], [1, 1], [1]),
      /argument 6: expected an array of 1 integers/,
    );
    refuses(
      'a rank above 8',
      () =>
        addon.copy(
          4,
          f32([1]),
          f32([1]),
          0,
          0,
          new Array(9).fill(1),
          new Array(9).fill(0),
          new Array(9).fill(0),
        ),
      /at most 8/,
    );
    refuses(
      'a negative offset reached by reversed strides',
      () => addon.copy(4, f32([1, 2, 3]), f32([0, 0, 0]), 0, 0, [3], [-1], [1]),
      /reaches elements \[-2, 0\]/,
    );
    refuses(
      'gather indices out of range',
      () => {
        const ids = addon.alloc(8);
        addon.write(ids, Int32Array.from([0, 5]), 0);
        addon.gather(4, f32([1, 2, 3]), ids, f32([0, 0]), 1, 3, 1, 2);
      },
      /index 5 at position 1 is outside \[0, 3\)/,
    );
    refuses(
      'a reduction over zero columns',
      () => addon.reduce(reduceOps.indexOf('sum'), 0, f32([1]), f32([0]), 1, 0),
      /argument 5: expected an integer in \[1/,
    );
    refuses(
      'a product larger than its operands',
      () => addon.matMul(f32([1, 2]), f32([1, 2]), f32([0]), 1, 2, 2, 2, false, false, 4, 4, false),
      /at least 4 elements/,
    );
    refuses(
      'an unknown cell',
      () => {
        sequenceForwardWith([7, 0, 1, 2, 1, 1, 1, 1], f32([0]));
      },
      /cell must be 0/,
    );
    refuses(
      'a sequence buffer too small',
      () => {
        sequenceForwardWith([0, 0, 1, 2, 2, 3, 4, 5], f32([0]));
      },
      /sequenceForward: argument 2: expected a buffer of at least 24 elements/,
    );
    refuses(
      'saved buffers that are not an array',
      () => {
        sequenceForwardWith([0, 0, 1, 2, 1, 1, 1, 1], f32(new Array(64).fill(0)), 5 as never);
      },
      /argument 13: expected an array of 5 buffers/,
    );

    it('counts live buffers and bytes, and frees them', () => {
      const [buffers, bytes] = addon.stats();
      const b = addon.alloc(1000);
      expect(addon.stats()).toEqual([buffers + 1, bytes + 1000]);
      addon.free(b);
      expect(addon.stats()).toEqual([buffers, bytes]);
    });
  },
);

it('isAvailable answers without throwing, with a one-line reason when unavailable', () => {
  const a = isAvailable();
  expect(typeof a.available).toBe('boolean');
  if (!a.available) expect(a.reason).toMatch(/^[^\n]+$/);
});
