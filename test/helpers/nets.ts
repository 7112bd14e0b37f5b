/** Tiny critics for the penalty tests, built from seeded weights so every run sees the same numbers. */
import { tf, Rng } from '../../src/engine/index.js';

export interface TestNet {
  variables: tf.Variable[];
  apply: (x: tf.Tensor) => tf.Tensor;
}

function weight(rng: Rng, shape: number[], scale: number): tf.Variable {
  return tf.variable(rng.normal(shape, 0, scale));
}

/** MLP critic dIn → 8 → 8 → 1 with leakyRelu(0.2), the 2-D experiments' shape. */
export function mlpCritic(seed: number, dIn = 2, activation: (t: tf.Tensor) => tf.Tensor = (t) => tf.leakyRelu(t, 0.2)): TestNet {
  const rng = new Rng(seed);
  const [w1, b1, w2, b2, w3, b3] = [
    weight(rng, [dIn, 8], 0.8),
    weight(rng, [8], 0.3),
    weight(rng, [8, 8], 0.5),
    weight(rng, [8], 0.3),
    weight(rng, [8, 1], 0.5),
    weight(rng, [1], 0.3),
  ];
  return {
    variables: [w1, b1, w2, b2, w3, b3],
    apply: (x) => {
      const h1 = activation(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D), b1));
      const h2 = activation(tf.add(tf.matMul(h1 as tf.Tensor2D, w2 as tf.Tensor2D), b2));
      return tf.reshape(tf.add(tf.matMul(h2 as tf.Tensor2D, w3 as tf.Tensor2D), b3), [-1]);
    },
  };
}

/** Conv critic on [N, 6, 6, 1]: conv 3×3/2 'same' → leakyRelu → flatten → dense 1. */
export function convCritic(seed: number): TestNet {
  const rng = new Rng(seed);
  const filter = weight(rng, [3, 3, 1, 3], 0.6);
  const bias = weight(rng, [3], 0.2);
  const dense = weight(rng, [3 * 3 * 3, 1], 0.4);
  return {
    variables: [filter, bias, dense],
    apply: (x) => {
      const h = tf.leakyRelu(tf.add(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, 'same'), bias), 0.2);
      return tf.reshape(tf.matMul(tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D, dense as tf.Tensor2D), [-1]);
    },
  };
}

/**
 * Finite-difference gradient of scalar f() w.r.t. selected entries of each variable (every
 * `stride`-th entry), by assigning perturbed values and restoring them.
 */
export function variableCentralDifference(f: () => number, variables: tf.Variable[], h = 1e-2, stride = 1): { analyticIndex: number[][]; numeric: number[][] } {
  const analyticIndex: number[][] = [];
  const numeric: number[][] = [];
  for (const v of variables) {
    const original = v.dataSync().slice();
    const idx: number[] = [];
    const num: number[] = [];
    for (let i = 0; i < original.length; i += stride) {
      const plus = original.slice();
      plus[i] += h;
      tf.tidy(() => v.assign(tf.tensor(plus, v.shape)));
      const fPlus = f();
      const minus = original.slice();
      minus[i] -= h;
      tf.tidy(() => v.assign(tf.tensor(minus, v.shape)));
      const fMinus = f();
      tf.tidy(() => v.assign(tf.tensor(original, v.shape)));
      idx.push(i);
      num.push((fPlus - fMinus) / (2 * h));
    }
    analyticIndex.push(idx);
    numeric.push(num);
  }
  return { analyticIndex, numeric };
}
