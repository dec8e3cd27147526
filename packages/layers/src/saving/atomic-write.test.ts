/**
 * Directory saves are atomic. Node's file system is wrapped so that any one call (and any call on an open file) can be
 * made to fail, as a full disk or a failing device would: the tests fail every call of a save in turn, over an
 * existing model and into an empty directory, and check that the directory afterwards holds exactly what it held
 * before (the old model loadable, byte for byte the same, no temporary files), or, when the failure comes after the
 * commit, the complete new model. A reader racing a save sees one model or the other, never a mix.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RefTensor } from '@seqmodel/core';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { dense } from '../layers/dense.js';
import { lstm } from '../layers/rnn.js';
import type { Model } from '../models/model.js';
import { sequential } from '../models/sequential.js';
import { newBackend } from '../test-helpers.js';
import { adam } from '../training/optimizers/adam.js';
import { loadKerasModel } from './keras/load.js';
import { saveKerasModel } from './keras/save.js';
import { loadModel, loadWeights, saveModel, saveWeights } from './native/save-load.js';

/** Shared with the mocked module: which call fails, and a hook run before calls. */
const faults = vi.hoisted(() => ({
  failAt: 0,
  count: 0,
  calls: [] as string[],
  before: undefined as undefined | ((name: string, args: unknown[]) => Promise<void>),
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const step = async (name: string, args: unknown[]) => {
    if (faults.before !== undefined) await faults.before(name, args);
    faults.count += 1;
    faults.calls.push(name);
    if (faults.count === faults.failAt) {
      throw Object.assign(new Error(`injected failure in ${name} (no space left on device)`), {
        code: 'ENOSPC',
      });
    }
  };
  const wrap =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await step(name, args);
      return fn(...args);
    };
  const open = async (...args: Parameters<typeof real.open>) => {
    await step('open', args);
    const handle = await real.open(...args);
    return new Proxy(handle, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        const bound = value.bind(target);
        return ['writeFile', 'write', 'sync', 'read', 'stat'].includes(String(key))
          ? wrap(`handle.${String(key)}`, bound)
          : bound;
      },
    });
  };
  const mocked = {
    ...real,
    mkdir: wrap('mkdir', real.mkdir),
    rename: wrap('rename', real.rename),
    unlink: wrap('unlink', real.unlink),
    lstat: wrap('lstat', real.lstat),
    stat: wrap('stat', real.stat),
    realpath: wrap('realpath', real.realpath),
    readdir: wrap('readdir', real.readdir),
    open,
  };
  return { ...mocked, default: mocked };
});

const ref = newBackend();
const directories: string[] = [];
afterAll(async () => {
  for (const d of directories) await rm(d, { recursive: true, force: true });
});
beforeEach(() => {
  faults.failAt = 0;
  faults.before = undefined;
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seqmodel-atomic-'));
  directories.push(dir);
  return dir;
}

function makeModel(seed: number): Model<RefTensor> {
  const m = sequential<RefTensor>([lstm({ units: 3 }), dense({ units: 2 })], {
    backend: ref,
    seed,
    inputShape: [4, 2],
  });
  m.compile({ optimizer: adam(), loss: 'mse' });
  return m;
}

/** Every file of `dir` with its bytes (an absent directory is empty). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) out.set(name, (await readFile(join(dir, name))).toString('base64'));
  return out;
}

interface Format {
  readonly save: (m: Model<RefTensor>, dir: string) => Promise<unknown>;
  readonly weightsOf: (dir: string) => Promise<Float32Array[]>;
}

const weightsOf = async (load: Promise<Model<RefTensor>>) => {
  const m = await load;
  const out = m.getWeightData().map((w) => w.values);
  m.dispose();
  return out;
};

const FORMATS: Record<string, Format> = {
  saveModel: {
    save: (m, dir) => saveModel(m, dir),
    weightsOf: (dir) => weightsOf(loadModel<RefTensor>(dir, { backend: ref })),
  },
  saveKerasModel: {
    save: (m, dir) => saveKerasModel(m, dir),
    weightsOf: (dir) => weightsOf(loadKerasModel<RefTensor>(dir, { backend: ref })),
  },
  saveWeights: {
    save: (m, dir) => saveWeights(m, dir),
    weightsOf: async (dir) => {
      const m = makeModel(0);
      await loadWeights(m, dir);
      const out = m.getWeightData().map((w) => w.values);
      m.dispose();
      return out;
    },
  },
};

const expectedOf = (m: Model<RefTensor>) => m.getWeightData().map((w) => w.values);

for (const [label, format] of Object.entries(FORMATS)) {
  describe(`${label} to a directory is atomic`, () => {
    it('a failure at any step leaves the model already there unchanged, or the new one complete', async () => {
      const old = makeModel(1);
      const next = makeModel(2);
      const dir = await tempDir();
      await format.save(old, dir);
      let before = await snapshot(dir);
      let failures = 0;
      let afterCommit = 0;
      for (let k = 1; ; k++) {
        faults.count = 0;
        faults.calls = [];
        faults.failAt = k;
        let error: unknown;
        await format.save(next, dir).catch((e: unknown) => {
          error = e;
        });
        faults.failAt = 0;
        const injected = faults.count >= k;
        if (!injected) break;
        const after = await snapshot(dir);
        expect([...after.keys()].filter((n) => n.endsWith('.tmp'))).toEqual([]);
        if (error !== undefined) {
          failures += 1;
          expect(String(error)).toContain('injected failure');
          expect(String(error)).toContain('the model already there (if any) is unchanged');
          expect(after).toEqual(before);
          expect(await format.weightsOf(dir)).toEqual(expectedOf(old));
        } else {
          // The failure hit the clean-up after the commit: the new model is complete.
          afterCommit += 1;
          expect(await format.weightsOf(dir)).toEqual(expectedOf(next));
          await rm(dir, { recursive: true, force: true });
          await format.save(old, dir);
          before = await snapshot(dir);
        }
      }
      expect(failures).toBeGreaterThanOrEqual(8);
      expect(afterCommit).toBeGreaterThanOrEqual(1);
      // Without failures the new model replaces the old one, whose weights file is gone.
      await format.save(next, dir);
      expect(await format.weightsOf(dir)).toEqual(expectedOf(next));
      expect((await readdir(dir)).length).toBe(2);
    });

    it('a failure while saving into a new directory leaves nothing behind', async () => {
      const next = makeModel(2);
      const parent = await tempDir();
      const dir = join(parent, 'model');
      for (let k = 1; ; k++) {
        faults.count = 0;
        faults.failAt = k;
        let error: unknown;
        await format.save(next, dir).catch((e: unknown) => {
          error = e;
        });
        faults.failAt = 0;
        if (faults.count < k) break;
        if (error === undefined) {
          expect(await format.weightsOf(dir)).toEqual(expectedOf(next));
        } else {
          expect((await snapshot(dir)).size).toBe(0);
        }
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('readers racing a save', () => {
  it('a reader that read model.json just before a save committed retries and gets the new model', async () => {
    const old = makeModel(1);
    const next = makeModel(2);
    const dir = await tempDir();
    await saveModel(old, dir);
    let raced = false;
    faults.before = async (name, args) => {
      // The reader has read model.json and now resolves the weights file it names: a save commits in between.
      if (!raced && name === 'realpath' && String(args[0]).includes('weights.')) {
        raced = true;
        faults.before = undefined;
        await saveModel(next, dir);
      }
    };
    const loaded = await loadModel<RefTensor>(dir, { backend: ref });
    expect(raced).toBe(true);
    expect(loaded.getWeightData().map((w) => w.values)).toEqual(expectedOf(next));
  });

  it('concurrent saves and loads: every load gets one whole model', async () => {
    const models = [makeModel(1), makeModel(2), makeModel(3)];
    const expected = models.map(expectedOf);
    const dir = await tempDir();
    await saveModel(models[0]!, dir);
    const saves = (async () => {
      for (let i = 0; i < 12; i++) await saveModel(models[i % 3]!, dir);
    })();
    const loads = Array.from({ length: 12 }, async () => {
      const weights = await weightsOf(loadModel<RefTensor>(dir, { backend: ref }));
      expect(expected).toContainEqual(weights);
    });
    await Promise.all([saves, ...loads]);
    expect((await readdir(dir)).length).toBe(2);
  });
});
