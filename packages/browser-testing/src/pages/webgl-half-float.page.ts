/**
 * The webgl backend with tensors in 16-bit float textures (`forceHalfFloat`, tfjs's `tf.webgl.forceHalfFloat()`),
 * in a page of its own: tfjs fixes its texture format when its WebGL backend starts. See `webgl.test.ts`.
 */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWebglBackend, webglInfo } from '@seqmodel/backend-webgl';
import { assertClose } from '@seqmodel/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { exposeChecks, type PageCheck } from '../in-page.js';
import { lstmCase, makeTensors } from './gpu-checks.js';
import { assertActiveTfjsBackend, onBackend } from './kits.js';

const size = { batch: 2, time: 6, inputSize: 3, units: 4 };

exposeChecks(
  (async () => {
    const backend = await createWebglBackend({ allowSoftwareRenderer: true, forceHalfFloat: true });
    const cpu = createCpuBackend();
    backend.activate();
    const info = (await webglInfo())!;
    const checks: PageCheck[] = [
      {
        name: 'webglInfo says 16-bit floats, with float32 render targets available but forced off',
        run() {
          if (
            info.precision !== 16 ||
            !info.float32RenderTargets ||
            !tf.env().getBool('WEBGL_FORCE_F16_TEXTURES')
          ) {
            throw new Error(`webglInfo: ${JSON.stringify(info)}`);
          }
        },
      },
      {
        name: 'forward passes run, within 1e-2 of backend-cpu (half floats keep 11 significant bits)',
        run() {
          const loss = (b: typeof backend) => {
            const t = makeTensors(b, lstmCase, size);
            const v = b.dataSync(b.tidy(() => t.loss(t.params)));
            t.dispose();
            return v;
          };
          const expected = loss(cpu);
          assertActiveTfjsBackend('cpu');
          const actual = loss(backend);
          assertActiveTfjsBackend('webgl');
          assertClose('lstm loss in half floats', actual, expected, { atol: 1e-2, rtol: 1e-2 });
        },
      },
      {
        name: 'training is refused with an error naming the precision and the way out',
        run() {
          const t = makeTensors(backend, lstmCase, size);
          try {
            backend.valueAndGrads((...ps) => t.loss(ps), t.params);
            throw new Error('valueAndGrads ran on 16-bit floats');
          } catch (error) {
            const message = (error as Error).message;
            if (!message.includes('16-bit floats') || !message.includes('allowHalfFloatTraining'))
              throw error;
          } finally {
            t.dispose();
          }
        },
      },
      {
        name: "with allowHalfFloatTraining, 50 SGD steps still lower an LSTM's loss",
        async run() {
          const trainer = await createWebglBackend({ allowHalfFloatTraining: true });
          const t = makeTensors(trainer, lstmCase, size);
          let params = t.params;
          const losses: number[] = [];
          for (let step = 0; step < 50; step++) {
            const { value, grads } = trainer.valueAndGrads((...ps) => t.loss(ps), params);
            losses.push(trainer.dataSync(value)[0]!);
            const next = trainer.tidy(() =>
              params.map((p, i) => trainer.sub(p, trainer.mul(grads[i]!, 0.02))),
            );
            trainer.dispose([value, ...grads, ...params]);
            params = next;
          }
          trainer.dispose([...params, t.x]);
          assertActiveTfjsBackend('webgl');
          if (!(losses[49]! < 0.9 * losses[0]!)) throw new Error(`losses: ${losses[0]} -> ${losses[49]}`);
        },
      },
    ];
    return [
      {
        name: 'webgl backend in 16-bit floats (forceHalfFloat)',
        checks: checks.map((c) => ({ ...c, run: onBackend('webgl', () => c.run()) })),
      },
    ];
  })(),
);
