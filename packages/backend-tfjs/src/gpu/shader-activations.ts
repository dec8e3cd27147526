/**
 * Core's elementwise activations as shader functions, in any `ShaderLang`: `act_<name>(x)` and `dact_<name>(y)`, the
 * derivative from the activation's output y (so the backward pass needs only what the forward pass kept). tanh is written
 * through exp of a non-positive argument (GLSL's and WGSL's built-in tanh may overflow to NaN for large |x| on
 * some drivers), and through its series near 0.
 */
import type { ShaderLang } from './shader-lang.js';

/**
 * The activations the step programs implement: core's, less `softmax` (not elementwise: the kernel refuses it and
 * the generic loop runs). At the corners of the hard sigmoids and of relu the derivative from the output is that of
 * the open interval (0), where tfjs's clip passes the gradient at the bounds themselves.
 */
export const shaderActivationNames = [
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

export type ShaderActivationName = (typeof shaderActivationNames)[number];

export function isShaderActivation(name: unknown): name is ShaderActivationName {
  return typeof name === 'string' && (shaderActivationNames as readonly string[]).includes(name);
}

const SELU_ALPHA = '1.6732632423543772';
const SELU_SCALE = '1.0507009873554805';

function definitions(lang: ShaderLang, name: ShaderActivationName): [string, string] {
  const sel = lang.select;
  switch (name) {
    case 'linear':
      return ['x', '1.0'];
    case 'tanh':
      // The formula loses its relative accuracy near 0 to cancellation (1 − e^{−2|x|}: 3e-5 at 1e-3, 0 below ~3e-8
      // in float32), so |x| ≤ 0.2 takes the series x − x³/3 + 2x⁵/15 − 17x⁷/315, as the wasm kernels do.
      return [
        sel(
          'abs(x) <= 0.2',
          'x * (1.0 + x * x * (-0.33333333 + x * x * (0.13333333 - x * x * 0.053968254)))',
          'sign(x) * (1.0 - exp(-2.0 * abs(x))) / (1.0 + exp(-2.0 * abs(x)))',
        ),
        '1.0 - x * x',
      ];
    case 'sigmoid':
      return ['1.0 / (1.0 + exp(-x))', 'x * (1.0 - x)'];
    case 'relu':
      return ['max(x, 0.0)', sel('x > 0.0', '1.0', '0.0')];
    case 'hardSigmoid':
      return ['clamp(0.2 * x + 0.5, 0.0, 1.0)', sel('x > 0.0 && x < 1.0', '0.2', '0.0')];
    case 'hardSigmoidKeras3':
      return ['clamp(x / 6.0 + 0.5, 0.0, 1.0)', sel('x > 0.0 && x < 1.0', '1.0 / 6.0', '0.0')];
    case 'softsign':
      return ['x / (1.0 + abs(x))', '(1.0 - abs(x)) * (1.0 - abs(x))'];
    case 'softplus':
      return ['max(x, 0.0) + log(1.0 + exp(-abs(x)))', '1.0 - exp(-x)'];
    case 'elu':
      return [sel('x > 0.0', 'x', 'exp(min(x, 0.0)) - 1.0'), sel('x > 0.0', '1.0', 'x + 1.0')];
    case 'selu':
      return [
        `${SELU_SCALE} * ${sel('x > 0.0', 'x', `${SELU_ALPHA} * (exp(min(x, 0.0)) - 1.0)`)}`,
        sel('x > 0.0', SELU_SCALE, `x + ${SELU_SCALE} * ${SELU_ALPHA}`),
      ];
    case 'exponential':
      return ['exp(x)', 'x'];
  }
}

/** `act_<name>` and `dact_<name>` for each of `names` (the derivative's argument is the activation's output). */
export function activationFunctions(lang: ShaderLang, names: readonly ShaderActivationName[]): string {
  return names
    .flatMap((name) => {
      const [act, dact] = definitions(lang, name);
      return [lang.floatFunction(`act_${name}`, act), lang.floatFunction(`dact_${name}`, dact)];
    })
    .join('\n');
}
