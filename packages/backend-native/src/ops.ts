/**
 * The addon's operation numbers: the enums of `@seqmodel/native-kernels` (`elementwise.h`, `reduce.h`,
 * `sequence.h`, `math.h`), in their order. Append, never renumber (`ops.test.ts` compares them with the headers).
 */
export const unaryOps = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'abs',
  'sigmoid',
  'tanh',
  'relu',
  'square',
  'softplus',
  'selu',
  'elu',
  'step',
  'clip',
  'logicalNot',
  'rsqrt',
  'reciprocal',
  'floor',
  'sign',
  'relu6',
  'leakyRelu',
  'round',
  'ceil',
  'expm1',
  'log1p',
  'sin',
  'cos',
  'erf',
  'identity',
] as const;
export type UnaryOpName = (typeof unaryOps)[number];

export const binaryOps = [
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  'pow',
  'squaredDifference',
  'floorDiv',
  'mod',
  'equal',
  'notEqual',
  'greater',
  'greaterEqual',
  'less',
  'lessEqual',
  'logicalAnd',
  'logicalOr',
] as const;
export type BinaryOpName = (typeof binaryOps)[number];

/** Binary ops whose result is bool. */
export const predicateOps: ReadonlySet<BinaryOpName> = new Set(binaryOps.slice(binaryOps.indexOf('equal')));

export const reduceOps = ['sum', 'max', 'min', 'mean', 'prod', 'any', 'all'] as const;
export type ReduceOpName = (typeof reduceOps)[number];

export const cellKinds = ['simpleRNN', 'lstm', 'gru'] as const;

/** The activations the fused recurrent kernels implement (`math.h`'s `Activation`), by core's names. */
export const activations = [
  'linear',
  'tanh',
  'sigmoid',
  'relu',
  'hardSigmoid',
  'hardSigmoidKeras3',
  'softsign',
  'softplus',
  'elu',
  'selu',
  'exponential',
] as const;

export function opNumber<T extends string>(table: readonly T[], name: T): number {
  return table.indexOf(name);
}
