/** The addon's op numbers in TypeScript (`ops.ts`) and in the C++ headers must be the same lists in one order. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { activations, binaryOps, reduceOps, unaryOps } from './ops.js';

const include = join(import.meta.dirname, '..', '..', 'native-kernels', 'include', 'seqmodel');

/** The enumerators of `enum name : int { ... }` in a header, without the trailing count. */
function enumerators(header: string, name: string): string[] {
  const text = readFileSync(join(include, header), 'utf8');
  const body = new RegExp(`enum ${name} : int \\{([^}]*)\\}`).exec(text)?.[1];
  if (!body) throw new Error(`enum ${name} not found in ${header}`);
  return body
    .split(',')
    .map((e) => e.replace(/=.*$/, '').trim())
    .filter((e) => e !== '' && !e.endsWith('Count'));
}

const camel = (k: string) =>
  k
    .replace(/^k/, '')
    .replace(/Op$/, '')
    .replace(/^./, (c) => c.toLowerCase());

it('unary, binary and reduction op numbers match elementwise.h and reduce.h', () => {
  expect(enumerators('elementwise.h', 'UnaryOp').map(camel)).toEqual([...unaryOps]);
  expect(enumerators('elementwise.h', 'BinaryOp').map(camel)).toEqual([...binaryOps]);
  expect(enumerators('reduce.h', 'ReduceOp').map(camel)).toEqual([...reduceOps]);
});

it('activation numbers match math.h', () => {
  expect(enumerators('math.h', 'Activation').map(camel)).toEqual([...activations]);
});
