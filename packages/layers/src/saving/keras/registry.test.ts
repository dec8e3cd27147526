/**
 * The Keras mapping registry as another package uses it: everything here comes from the package's public entry, as
 * `@seqmodel/attention` or a user's own layer would import it, and the layer class is defined here, outside the
 * layers' catalogue.
 */
import { createReferenceBackend, type InitializerSpec, type RefTensor } from '@seqmodel/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type BuildEnv,
  type CallArgs,
  type CallContext,
  dense,
  getKerasLayerMapping,
  input,
  type KerasArtifacts,
  type KerasLayerMapping,
  Layer,
  type LayerArgs,
  type LayerWeight,
  listKerasLayerClasses,
  loadKerasModel,
  loadModel,
  lstm,
  type Model,
  model,
  registerKerasLayer,
  registerLayer,
  type ShapeSpec,
  type SymbolicTensor,
  saveKerasModel,
  saveModel,
  sequential,
  unregisterKerasLayer,
  unregisterLayer,
} from '../../index.js';
import { randomTensor, values } from '../../test-helpers.js';
import { removeTempDirectories, tempDirectory } from './keras-test-helpers.js';

afterAll(removeTempDirectories);

interface ScaleShiftArgs extends LayerArgs {
  /** Whether to add a learned shift after the scale. Default true. */
  readonly center?: boolean;
  readonly scaleInitializer?: InitializerSpec;
}

/** `x * scale + shift` per feature (the last axis): a layer another package might add. */
class ScaleShift extends Layer {
  readonly className = 'ScaleShift';
  override readonly supportsMasking = true;
  readonly center: boolean;
  readonly scaleInitializer: InitializerSpec;
  private scale: LayerWeight | undefined;
  private shift: LayerWeight | undefined;

  constructor(args: ScaleShiftArgs = {}) {
    super(args);
    this.center = args.center ?? true;
    this.scaleInitializer = args.scaleInitializer ?? { name: 'uniform', minval: 0.5, maxval: 1.5 };
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const size = inputShapes[0]!.at(-1) as number;
    this.scale = this.addWeight(env, { name: 'scale', shape: [size], initializer: this.scaleInitializer });
    if (this.center) {
      this.shift = this.addWeight(env, {
        name: 'shift',
        shape: [size],
        initializer: { name: 'uniform', minval: -1, maxval: 1 },
      });
    }
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const scaled = b.mul(inputs[0]!, ctx.read(this.scale!));
    if (this.shift === undefined) return [scaled];
    const shifted = b.add(scaled, ctx.read(this.shift));
    b.dispose(scaled);
    return [shifted];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), center: this.center, scaleInitializer: this.scaleInitializer };
  }
}

const scaleShiftMapping: KerasLayerMapping<ScaleShift> = {
  className: 'ScaleShift',
  fromKeras(reader) {
    const scaleInitializer = reader.initializer('scale_initializer');
    return new ScaleShift({
      ...reader.layerArgs(),
      center: reader.boolean('center', true),
      ...(scaleInitializer === undefined ? {} : { scaleInitializer }),
    });
  },
  toKeras: (layer, context) => ({
    class_name: 'ScaleShift',
    config: {
      ...context.commonConfig(),
      center: layer.center,
      scale_initializer: context.initializer('scaleInitializer', layer.scaleInitializer),
    },
  }),
};

/** Registers ScaleShift as a seqmodel layer and with its Keras mapping, as the package defining it would. */
function registerScaleShift(): void {
  registerLayer({ className: 'ScaleShift', fromConfig: (config) => new ScaleShift(config) });
  registerKerasLayer(scaleShiftMapping);
}

afterEach(() => {
  unregisterLayer('ScaleShift');
  unregisterKerasLayer('ScaleShift');
});

function sequentialWithScaleShift(backend = createReferenceBackend()): Model<RefTensor> {
  return sequential<RefTensor>(
    [lstm({ units: 4, returnSequences: true }), new ScaleShift(), dense({ units: 2 })],
    { backend, seed: 7, inputShape: [null, 3] },
  );
}

/** Predictions of `a` and `b` on the same input are identical, and so are their weights; nothing leaks. */
function expectSameModel(a: Model<RefTensor>, b: Model<RefTensor>, inputShape: number[]): void {
  const ref = a.backend as ReturnType<typeof createReferenceBackend>;
  const before = ref.memory().numTensors;
  const x = randomTensor(ref, inputShape, 11);
  const ya = a.predict(x) as RefTensor;
  const yb = b.predict(x) as RefTensor;
  expect(values(ref, yb)).toEqual(values(ref, ya));
  ref.dispose([x, ya, yb]);
  expect(ref.memory().numTensors).toBe(before);
  expect(b.getWeightData().map((w) => [w.name, w.shape, w.values])).toEqual(
    a.getWeightData().map((w) => [w.name, w.shape, w.values]),
  );
}

type LayerJson = { class_name: string; config: Record<string, unknown> } & Record<string, unknown>;

function topologyLayers(artifacts: KerasArtifacts): LayerJson[] {
  return (artifacts.modelTopology.config as { layers: LayerJson[] }).layers;
}

/** A deep copy of the artifacts with `edit` applied to the ScaleShift layer's JSON. */
function withScaleShiftJson(artifacts: KerasArtifacts, edit: (json: LayerJson) => void): KerasArtifacts {
  const topology = JSON.parse(JSON.stringify(artifacts.modelTopology)) as KerasArtifacts['modelTopology'];
  const json = topologyLayers({ ...artifacts, modelTopology: topology }).find(
    (l) => l.class_name === 'ScaleShift',
  )!;
  edit(json);
  return { ...artifacts, modelTopology: topology };
}

describe('a layer from outside the catalogue, registered by its own package', () => {
  it('saves as a Keras / tfjs-layers model and loads back with the same config, weights and outputs', async () => {
    registerScaleShift();
    const ref = createReferenceBackend();
    const original = sequentialWithScaleShift(ref);
    const baseline = ref.memory().numTensors;
    const artifacts = await saveKerasModel(original);
    const layers = topologyLayers(artifacts);
    expect(layers.map((l) => l.class_name)).toEqual(['LSTM', 'ScaleShift', 'Dense']);
    expect(layers[1]!.config).toEqual({
      name: 'scale_shift',
      trainable: true,
      dtype: 'float32',
      center: true,
      scale_initializer: { class_name: 'RandomUniform', config: { minval: 0.5, maxval: 1.5, seed: null } },
    });
    expect(artifacts.weightSpecs.map((s) => s.name)).toContain('scale_shift/scale');
    expect(artifacts.weightSpecs.map((s) => s.name)).toContain('scale_shift/shift');

    const directory = await tempDirectory();
    await saveKerasModel(original, directory);
    for (const source of [artifacts, `${directory}/model.json`]) {
      const loaded = await loadKerasModel<RefTensor>(source, { backend: ref });
      expect(loaded.layers[1]).toBeInstanceOf(ScaleShift);
      expect(loaded.layers[1]!.getConfig()).toEqual(original.layers[1]!.getConfig());
      expectSameModel(original, loaded, [2, 5, 3]);
      loaded.dispose();
    }
    // seqmodel's own format goes through the layer registry.
    const native = await loadModel<RefTensor>(await saveModel(original), { backend: ref });
    expectSameModel(original, native, [2, 5, 3]);
    native.dispose();
    expect(ref.memory().numTensors).toBe(baseline);
    original.dispose();
  });

  it('round trips in a functional model, and as a Keras 3 custom object found by its registered name', async () => {
    registerScaleShift();
    const ref = createReferenceBackend();
    const x = input({ shape: [null, 3], name: 'x' });
    const h = new ScaleShift({ center: false }).apply(x) as SymbolicTensor;
    const y = lstm({ units: 2 }).apply(h) as SymbolicTensor;
    const original = model<RefTensor>({ inputs: [x], outputs: [y], backend: ref, seed: 3 });
    const artifacts = await saveKerasModel(original);
    const back = await loadKerasModel<RefTensor>(artifacts, { backend: ref });
    expectSameModel(original, back, [2, 4, 3]);
    back.dispose();

    // Keras 3 names a custom class by module and registered name (`package>Name`), looked up by the latter.
    const keras3 = withScaleShiftJson(artifacts, (json) => {
      json.module = 'my_package.layers';
      json.registered_name = 'MyPackage>ScaleShift';
    });
    await expect(loadKerasModel(keras3, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer scale_shift (ScaleShift): custom layer class from module "my_package.layers" (registered as "MyPackage>ScaleShift") is not supported; register a Keras mapping named "MyPackage>ScaleShift" with registerKerasLayer to load it',
    );
    registerKerasLayer({ ...scaleShiftMapping, className: 'MyPackage>ScaleShift' });
    try {
      const custom = await loadKerasModel<RefTensor>(keras3, { backend: ref });
      expectSameModel(original, custom, [2, 4, 3]);
      custom.dispose();
    } finally {
      unregisterKerasLayer('MyPackage>ScaleShift');
    }
    original.dispose();
  });
});

/** Registers ScaleShift, saves a model with it as Keras artifacts, and counts the tensors that exist then. */
async function savedScaleShift() {
  registerScaleShift();
  const ref = createReferenceBackend();
  const original = sequentialWithScaleShift(ref);
  const artifacts = await saveKerasModel(original);
  return { ref, original, artifacts, before: ref.memory().numTensors };
}

describe('Keras mapping registry errors', () => {
  it('names an unknown Keras class, listing the classes that load and the closest one', async () => {
    const { ref, original, artifacts, before } = await savedScaleShift();
    const misspelled = withScaleShiftJson(artifacts, (json) => {
      json.class_name = 'ScaleShft';
    });
    await expect(loadKerasModel(misspelled, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer scale_shift (ScaleShft): layer class ScaleShft is not supported; supported: Activation, Add, AlphaDropout, Average, AveragePooling1D, BatchNormalization, Bidirectional, CategoryEncoding, Concatenate, Conv1D, Conv1DTranspose, Cropping1D, Dense, DepthwiseConv1D, Dot, Dropout, ELU, Embedding, Flatten, GRU, GaussianDropout, GaussianNoise, GlobalAveragePooling1D, GlobalMaxPooling1D, Identity, LSTM, LeakyReLU, Masking, MaxPooling1D, Maximum, Minimum, Multiply, Normalization, PReLU, Permute, RNN, ReLU, RepeatVector, Rescaling, Reshape, ScaleShift, SeparableConv1D, SimpleRNN, Softmax, SpatialDropout1D, Subtract, TimeDistributed, UnitNormalization, UpSampling1D, ZeroPadding1D (and InputLayer) (did you mean "ScaleShift"?); other packages add classes with registerKerasLayer',
    );
    expect(ref.memory().numTensors).toBe(before);

    expect(() => getKerasLayerMapping('Lstm')).toThrow(
      'unknown Keras layer class "Lstm" (did you mean "LSTM"?); registered: Activation, Add, AlphaDropout, Average, AveragePooling1D, BatchNormalization, Bidirectional, CategoryEncoding, Concatenate, Conv1D, Conv1DTranspose, Cropping1D, Dense, DepthwiseConv1D, Dot,',
    );
    expect(() => getKerasLayerMapping('Lambda')).toThrow(/^unknown Keras layer class "Lambda"; registered: /);
    expect(getKerasLayerMapping('ScaleShift')).toBe(scaleShiftMapping);

    // Once its package's mapping is gone, the class is unknown again; a save-only mapping does not load.
    expect(unregisterKerasLayer('ScaleShift')).toBe(true);
    expect(listKerasLayerClasses()).not.toContain('ScaleShift');
    await expect(loadKerasModel(artifacts, { backend: ref })).rejects.toThrow(
      'layer class ScaleShift is not supported; supported: Activation, Add, AlphaDropout, Average, AveragePooling1D, BatchNormalization, Bidirectional, CategoryEncoding, Concatenate, Conv1D, Conv1DTranspose, Cropping1D, Dense, DepthwiseConv1D, Dot, Dropout, ELU, Embedding, Flatten, GRU, GaussianDropout, GaussianNoise, GlobalAveragePooling1D, GlobalMaxPooling1D, Identity, LSTM, LeakyReLU, Masking, MaxPooling1D, Maximum, Minimum, Multiply, Normalization, PReLU, Permute, RNN, ReLU, RepeatVector, Rescaling, Reshape, SeparableConv1D, SimpleRNN, Softmax, SpatialDropout1D, Subtract, TimeDistributed, UnitNormalization, UpSampling1D, ZeroPadding1D (and InputLayer)',
    );
    await expect(saveKerasModel(original)).rejects.toThrow(
      'saveKerasModel: layer scale_shift (ScaleShift): ScaleShift layers have no tfjs-layers equivalent; save with saveModel instead, or register a Keras mapping for ScaleShift with registerKerasLayer',
    );
    registerKerasLayer({ className: 'ScaleShift', toKeras: scaleShiftMapping.toKeras! });
    expect(listKerasLayerClasses('save')).toContain('ScaleShift');
    expect(listKerasLayerClasses('load')).not.toContain('ScaleShift');
    await expect(loadKerasModel(artifacts, { backend: ref })).rejects.toThrow(
      'layer class ScaleShift is not supported (its Keras mapping only saves)',
    );
    expect(ref.memory().numTensors).toBe(before);
    original.dispose();
  });

  it('refuses a second mapping for a class unless asked to replace it', async () => {
    registerScaleShift();
    expect(() => registerKerasLayer(scaleShiftMapping)).toThrow(
      'registerKerasLayer: a Keras mapping for "ScaleShift" is already registered; pass { replace: true } to replace it',
    );
    expect(() => registerKerasLayer({ ...scaleShiftMapping, className: 'Dense' })).toThrow(
      'registerKerasLayer: a Keras mapping for "Dense" is already registered',
    );
    const ref = createReferenceBackend();
    const original = sequentialWithScaleShift(ref);
    registerKerasLayer(
      {
        ...scaleShiftMapping,
        toKeras: (layer, context) => ({
          class_name: 'ScaleShift',
          config: { ...scaleShiftMapping.toKeras!(layer, context).config, name: 'replaced' },
        }),
      },
      { replace: true },
    );
    const artifacts = await saveKerasModel(original);
    expect(topologyLayers(artifacts)[1]!.config.name).toBe('replaced');
    original.dispose();
  });

  it('names the layer and the mapping when a mapping throws, and frees what the load made', async () => {
    const { ref, original, artifacts, before } = await savedScaleShift();
    const bug = new TypeError("Cannot read properties of undefined (reading 'center')");
    registerKerasLayer(
      {
        ...scaleShiftMapping,
        fromKeras: () => {
          throw bug;
        },
      },
      { replace: true },
    );
    const failed = loadKerasModel(artifacts, { backend: ref });
    await expect(failed).rejects.toThrow(
      "loadKerasModel: layer scale_shift (ScaleShift): the Keras mapping for ScaleShift failed: Cannot read properties of undefined (reading 'center')",
    );
    await expect(failed).rejects.toHaveProperty('cause', bug);
    expect(ref.memory().numTensors).toBe(before);

    registerKerasLayer({ ...scaleShiftMapping, fromKeras: () => undefined as never }, { replace: true });
    await expect(loadKerasModel(artifacts, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer scale_shift (ScaleShift): the Keras mapping for ScaleShift returned undefined, expected a Layer',
    );

    registerKerasLayer(
      {
        ...scaleShiftMapping,
        toKeras: () => {
          throw new RangeError('no room');
        },
      },
      { replace: true },
    );
    await expect(saveKerasModel(original)).rejects.toThrow(
      'saveKerasModel: layer scale_shift (ScaleShift): the Keras mapping for ScaleShift failed: no room',
    );
    expect(ref.memory().numTensors).toBe(before);
    original.dispose();
  });

  it("reports the options a mapping leaves unread, and passes the reader's own errors through", async () => {
    const { ref, original, artifacts, before } = await savedScaleShift();
    const extra = withScaleShiftJson(artifacts, (json) => {
      json.config.epsilon = 0.001;
    });
    await expect(loadKerasModel(extra, { backend: ref })).rejects.toThrow(
      "loadKerasModel: layer scale_shift (ScaleShift) option epsilon: not known to this loader, so the model might compute something else (pass { unknownConfigKeys: 'ignore' } to load anyway)",
    );
    const lenient = await loadKerasModel<RefTensor>(extra, { backend: ref, unknownConfigKeys: 'ignore' });
    expectSameModel(original, lenient, [1, 2, 3]);
    lenient.dispose();
    const wrong = withScaleShiftJson(artifacts, (json) => {
      json.config.center = 'yes';
    });
    await expect(loadKerasModel(wrong, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer scale_shift (ScaleShift) option center: expected true or false, received "yes"',
    );
    expect(ref.memory().numTensors).toBe(before);
    original.dispose();
  });

  it('checks what is registered', () => {
    expect(() => registerKerasLayer(null as never)).toThrow(
      'registerKerasLayer(mapping): expected an object { className, fromKeras?, toKeras? }, received null',
    );
    expect(() => registerKerasLayer({ ...scaleShiftMapping, className: '' })).toThrow(
      'registerKerasLayer(mapping).className: expected a non-empty string, received ""',
    );
    expect(() => registerKerasLayer({ className: 'ScaleShift' })).toThrow(
      'registerKerasLayer(ScaleShift): expected a mapping with fromKeras (to load the class), toKeras (to save it) or both',
    );
    expect(() => registerKerasLayer({ ...scaleShiftMapping, toKeras: 'ScaleShift' as never })).toThrow(
      'registerKerasLayer(ScaleShift).toKeras: expected a function or nothing, received "ScaleShift"',
    );
    expect(listKerasLayerClasses()).not.toContain('ScaleShift');
  });
});
