import { createWebglBackend, webglInfo } from '@seqmodel/backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import { expose, pageReady } from '../in-page.js';

pageReady(
  (async () => {
    const backend = await createWebglBackend({ allowSoftwareRenderer: true });
    expose('info', async () => ({
      info: await webglInfo(),
      backend: tf.getBackend(),
      mm: backend.toArray(backend.matMul(backend.tensor([[1, 2]]), backend.tensor([[3], [4]]))),
    }));
  })(),
);
