/**
 * The layer conformance kit must be able to fail: each test here feeds it a layer broken in one way (a wrong
 * computeOutputShape, a leaking call, a config that loses an option, a wrong gradient through a custom op, an ignored
 * mask, a seed that is not used, ...) and checks that exactly the matching check reports it.
 */
import { createReferenceBackend, createRng, ReferenceBackend } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
// The kit rebuilds layers through the registry, which holds the built-ins once they load (as the package index does).
import '../layers/builtins.js';
import { CallContext } from '../engine/context.js';
import type { BuildEnv, CallArgs, Layer } from '../engine/layer.js';
import { registerLayer, unregisterLayer } from '../engine/registry.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { Dense, type DenseArgs } from '../layers/dense.js';
import { Dropout, type DropoutArgs } from '../layers/dropout.js';
import { GRU, type GruArgs } from '../layers/rnn.js';
import { cpuBackend } from '../training/test-helpers.js';
import { type LayerCheckKey, type LayerConformanceCase, layerCheckKeys } from './layer-case.js';
import { assertLayerConformance, layerConformanceChecks } from './layer-conformance.js';

const backend = cpuBackend();
// The broken layers below subclass Dense or Dropout under class names of their own (registered for the config
// round trip); those classes type `className` as their literal name, hence the casts.

/** Keys of the checks that throw, in the kit's order. */
async function failing(checks: ReturnType<typeof layerConformanceChecks>): Promise<LayerCheckKey[]> {
  const out: LayerCheckKey[] = [];
  for (const c of checks) {
    if (c.skip !== undefined) continue;
    try {
      await c.run();
    } catch {
      out.push(c.key);
    }
  }
  return out;
}

/** The message of the one failing check with `key`. */
async function messageOf(
  checks: ReturnType<typeof layerConformanceChecks>,
  key: LayerCheckKey,
): Promise<string> {
  const check = checks.find((c) => c.key === key)!;
  try {
    await check.run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

const registered: string[] = [];
/** Registers a test layer class for the config round trip (the registry rebuilds layers by class name). */
function register(className: string, fromConfig: (c: Record<string, unknown>) => Layer): void {
  registerLayer({ className, fromConfig });
  registered.push(className);
}
afterEach(() => {
  for (const name of registered.splice(0)) unregisterLayer(name);
});

const denseCase = <A extends DenseArgs>(factory: (a: A) => Layer, options: A): LayerConformanceCase<A> => ({
  factory,
  options,
  inputs: [{ shape: [3, 4, 2], mask: true }],
  masks: { outputs: [{ input: 0 }] },
});

describe('layer conformance kit', () => {
  it('passes a correct layer, and says why the checks that do not apply are skipped', async () => {
    const checks = layerConformanceChecks(
      denseCase((a: DenseArgs) => new Dense(a), { units: 3, activation: 'tanh' }),
      backend,
    );
    expect(checks.map((c) => c.key)).toEqual(layerCheckKeys);
    expect(await failing(checks)).toEqual([]);
    const onReference = layerConformanceChecks(
      denseCase((a: DenseArgs) => new Dense(a), { units: 3 }),
      createReferenceBackend(),
    );
    expect(onReference.filter((c) => c.skip).map((c) => [c.key, c.skip])).toEqual([
      ['gradients', 'backend reference has no autodiff'],
      ['reference', 'the backend is the float64 reference'],
    ]);
    expect(await failing(onReference)).toEqual([]);
  });

  it('catches a computeOutputShape that disagrees with the outputs', async () => {
    class WrongShape extends Dense {
      override readonly className = 'WrongShape' as 'Dense';
      override computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
        return [[...inputShapes[0]!.slice(0, -1), this.units + 1]];
      }
    }
    const checks = layerConformanceChecks(
      denseCase((a: DenseArgs) => new WrongShape(a), { units: 3 }),
      backend,
    );
    register('WrongShape', (c) => new WrongShape(c as unknown as DenseArgs));
    expect(await failing(checks)).toEqual(['shapes']);
    expect(await messageOf(checks, 'shapes')).toContain(
      'output 0, concrete input shapes: the layer returned shape [3, 4, 3], computeOutputShape gave [3, 4, 4]',
    );
  });

  it('catches a call that leaks a tensor', async () => {
    class Leaky extends Dense {
      override readonly className = 'Leaky' as 'Dense';
      override call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
        ctx.backend.keep(ctx.backend.fill([1], 0));
        return super.call(ctx, inputs, args);
      }
    }
    register('Leaky', (c) => new Leaky(c as unknown as DenseArgs));
    const checks = layerConformanceChecks(
      denseCase((a: DenseArgs) => new Leaky(a), { units: 3 }),
      backend,
    );
    expect(await failing(checks)).toEqual(['leaks']);
    expect(await messageOf(checks, 'leaks')).toMatch(/inference call: leaked \(numTensors \d+ -> \d+/);
    await expect(
      assertLayerConformance(
        denseCase((a: DenseArgs) => new Leaky(a), { units: 3 }),
        backend,
      ),
    ).rejects.toThrow(
      /^layer conformance failed:\n- Leaky \{"units":3\} on cpu: no tensors leaked: .*leaked/,
    );
  });

  it('catches a layer whose weights outlive dispose', async () => {
    class Hoarder extends Dense {
      override readonly className = 'Hoarder' as 'Dense';
      protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
        super.onBuild(env, inputShapes);
        env.backend.keep(env.backend.fill([2], 1));
      }
    }
    register('Hoarder', (c) => new Hoarder(c as unknown as DenseArgs));
    const checks = layerConformanceChecks(
      denseCase((a: DenseArgs) => new Hoarder(a), { units: 3 }),
      backend,
    );
    expect(await messageOf(checks, 'leaks')).toMatch(/build and dispose: leaked/);
  });

  it('catches outputs that are not tensors of their own', async () => {
    class Aliasing extends GRU {
      override readonly className = 'Aliasing';
      override call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
        const [y] = super.call(ctx, inputs, args);
        return [y!, y!];
      }
    }
    register('Aliasing', (c) => new Aliasing(c as unknown as GruArgs));
    const checks = layerConformanceChecks(
      {
        factory: (a: GruArgs) => new Aliasing(a),
        options: { units: 2, returnState: true },
        inputs: [{ shape: [3, 4, 2] }],
        masks: { outputs: ['none', 'none'] },
      },
      backend,
    );
    expect(await failing(checks)).toEqual(['leaks']);
    expect(await messageOf(checks, 'leaks')).toContain('output 1 is the same tensor as an earlier output');
  });

  it('catches a config that loses an option: through the outputs, or (an initializer) the seeded weights', async () => {
    /** Dense whose config leaves out `option`. */
    const forgetting = (className: string, option: keyof DenseArgs) => {
      class Forgetful extends Dense {
        override readonly className = className as 'Dense';
        override getConfig(): Record<string, unknown> {
          const { [option]: _lost, ...config } = super.getConfig();
          return config;
        }
      }
      register(className, (c) => new Forgetful(c as unknown as DenseArgs));
      return (a: DenseArgs) => new Forgetful(a);
    };
    const noActivation = layerConformanceChecks(
      denseCase(forgetting('NoActivation', 'activation'), { units: 3, activation: 'tanh' }),
      backend,
    );
    expect(await failing(noActivation)).toEqual(['config']);
    expect(await messageOf(noActivation, 'config')).toContain('restored layer (inference): output 0');
    const noInitializer = layerConformanceChecks(
      denseCase(forgetting('NoInit', 'kernelInitializer'), { units: 3, kernelInitializer: 'heNormal' }),
      backend,
    );
    expect(await messageOf(noInitializer, 'config')).toContain('restored weight no_init/kernel (same seed)');
  });

  it('catches a gradient that is wrong, through a custom op', async () => {
    /** tanh whose hand-written gradient is off by 2% on tfjs; the reference runs plain tanh. */
    class BadGradient extends Dense {
      override readonly className = 'BadGradient' as 'Dense';
      override call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
        const [y] = super.call(ctx, inputs, args);
        if (ctx.backend instanceof ReferenceBackend) return [ctx.backend.tanh(y!)];
        const tanh = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
          const value = tf.tanh(args[0] as tf.Tensor);
          (args[1] as tf.GradSaveFunc)([value]);
          return {
            value,
            gradFunc: (dy, [v]) => tf.mul(tf.mul(dy, tf.sub(1, tf.square(v!))), 1.02),
          };
        });
        return [tanh(y as tf.Tensor) as T];
      }
    }
    register('BadGradient', (c) => new BadGradient(c as unknown as DenseArgs));
    const checks = layerConformanceChecks(
      denseCase((a: DenseArgs) => new BadGradient(a), { units: 3 }),
      backend,
    );
    expect(await failing(checks)).toEqual(['gradients']);
    expect(await messageOf(checks, 'gradients')).toMatch(/d loss \/ d inputs\[0\]: element \d+ is/);
  });

  it('catches a recurrent layer that does not honour its mask, and a wrong output mask', async () => {
    class MaskBlind extends GRU {
      override readonly className = 'MaskBlind';
      override call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
        return super.call(ctx, inputs, { ...args, masks: [undefined] });
      }
    }
    register('MaskBlind', (c) => new MaskBlind(c as unknown as GruArgs));
    const blind = layerConformanceChecks(
      {
        factory: (a: GruArgs) => new MaskBlind(a),
        options: { units: 2, returnSequences: true },
        inputs: [{ shape: [3, 4, 2], mask: true }],
        masks: { outputs: [{ input: 0 }] },
      },
      backend,
    );
    expect(await failing(blind)).toEqual(['masks']);
    expect(await messageOf(blind, 'masks')).toContain('output 0 with other values at masked steps');

    const wrongContract = layerConformanceChecks(
      {
        factory: (a: GruArgs) => new GRU(a),
        options: { units: 2, returnSequences: false },
        inputs: [{ shape: [3, 4, 2], mask: true }],
        masks: { outputs: [{ input: 0 }] },
      },
      backend,
    );
    expect(await messageOf(wrongContract, 'masks')).toBe(
      'GRU {"units":2,"returnSequences":false} on cpu: mask of output 0: missing, expected one',
    );
  });

  it('catches a layer declared to ignore masks that passes one on', async () => {
    const checks = layerConformanceChecks(
      {
        factory: (a: DenseArgs) => new Dense(a),
        options: { units: 2 },
        inputs: [{ shape: [3, 4, 2] }],
        masks: { ignored: 'a wrong declaration' },
      },
      backend,
    );
    expect(await failing(checks)).toEqual(['masks']);
  });

  it('catches weights that ignore the seed, and dropout that ignores the call seed', async () => {
    class FixedSeed extends Dense {
      override readonly className = 'FixedSeed' as 'Dense';
      protected override weightRng(_env: BuildEnv) {
        return createRng(7);
      }
    }
    register('FixedSeed', (c) => new FixedSeed(c as unknown as DenseArgs));
    expect(
      await failing(
        layerConformanceChecks(
          denseCase((a: DenseArgs) => new FixedSeed(a), { units: 3 }),
          backend,
        ),
      ),
    ).toEqual(['seeding']);

    /** Dropout whose mask comes from one fixed stream, whatever the call's seed. */
    class StuckDropout extends Dropout {
      override readonly className = 'StuckDropout' as 'Dropout';
      override call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
        const fixed = new CallContext<T>({ backend: ctx.backend, training: ctx.training, rng: createRng(3) });
        return super.call(fixed, inputs, args);
      }
    }
    register('StuckDropout', (c) => new StuckDropout(c as unknown as DropoutArgs));
    const checks = layerConformanceChecks(
      {
        factory: (a: DropoutArgs) => new StuckDropout(a),
        options: { rate: 0.5 },
        inputs: [{ shape: [3, 4, 2], mask: true }],
        masks: { outputs: [{ input: 0 }] },
      },
      backend,
    );
    expect(await failing(checks)).toEqual(['seeding']);
    expect(await messageOf(checks, 'seeding')).toContain('but not between call seeds');

    // Declared deterministic in training, but drawing dropout from the call's stream.
    const declared = layerConformanceChecks(
      {
        factory: (a: DropoutArgs) => new Dropout(a),
        options: { rate: 0.5 },
        inputs: [{ shape: [3, 4, 2], mask: true }],
        masks: { outputs: [{ input: 0 }] },
        deterministicTraining: 'a wrong declaration',
      },
      backend,
    );
    expect(await failing(declared)).toEqual(['seeding']);
    expect(await messageOf(declared, 'seeding')).toContain('deterministic: a wrong declaration');
  });

  it('catches a layer that computes differently from the float64 reference', async () => {
    class Drifting extends Dense {
      override readonly className = 'Drifting' as 'Dense';
      override call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
        const [y] = super.call(ctx, inputs, args);
        return [ctx.backend instanceof ReferenceBackend ? y! : ctx.backend.mul(y!, 1.001)];
      }
    }
    register('Drifting', (c) => new Drifting(c as unknown as DenseArgs));
    const checks = layerConformanceChecks(
      denseCase((a: DenseArgs) => new Drifting(a), { units: 3 }),
      backend,
    );
    expect(await failing(checks)).toEqual(['reference']);
  });

  it('needs a reason for every opt-out, a mask contract, and known check keys', () => {
    const base = denseCase((a: DenseArgs) => new Dense(a), { units: 1 });
    expect(() => layerConformanceChecks({ ...base, skip: { gradients: '' } }, backend)).toThrow(
      'layer conformance case skip.gradients: expected a reason (a non-empty string), received ""',
    );
    expect(() => layerConformanceChecks({ ...base, skip: { gradient: 'typo' } as never }, backend)).toThrow(
      'layer conformance case skip.gradient: expected a key among shapes, config, masks, seeding, leaks, gradients, reference',
    );
    expect(() => layerConformanceChecks({ ...base, masks: undefined as never }, backend)).toThrow(
      'layer conformance case masks: expected { ignored:',
    );
    const skipped = layerConformanceChecks({ ...base, skip: { seeding: 'no weights of its own' } }, backend);
    expect(skipped.find((c) => c.key === 'seeding')!.skip).toBe('no weights of its own');
  });
});
