/** Child process of engine.kernels.test: starts the engine (GANKIT_THREADS) and prints a few results. */
import { tf, Rng, initEngine, wasmThreads } from '../../src/engine/index.js';

await initEngine({ backend: 'wasm', fallback: false });
const rng = new Rng(4);
const out = tf.tidy(() => {
  const x = rng.normal([16, 20, 20, 32]) as tf.Tensor4D;
  const w = rng.normal([3, 3, 32, 48]) as tf.Tensor4D;
  const a = rng.normal([200, 300]) as tf.Tensor2D;
  const b = rng.normal([300, 150]) as tf.Tensor2D;
  const conv = tf.conv2d(x, w, 1, 'same');
  return {
    conv: Array.from(conv.dataSync().slice(0, 2000)),
    matmul: Array.from(tf.matMul(a, b).dataSync().slice(0, 2000)),
  };
});
process.stdout.write(JSON.stringify({ threads: wasmThreads(), ...out }));
