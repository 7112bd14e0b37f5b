/** Child process of engine.native.test: starts the engine (GANKIT_NATIVE, GANKIT_BLAS_LIBRARY) and prints a product. */
import { tf, initEngine, activeBlas } from '../../src/engine/index.js';

try {
  await initEngine({ backend: 'wasm', fallback: false, workload: 'images' });
} catch (e) {
  process.stderr.write(`gankit: error: ${(e as Error).message}\n`);
  process.exit(2);
}
const product = tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 2, 0, 1, 3], [2, 3])).dataSync()));
process.stdout.write(JSON.stringify({ native: activeBlas() !== null, product }));
