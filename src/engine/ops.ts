/**
 * Small ops written from primitives whose gradients are correct to second order (see
 * ./gradients.ts). tfjs's own `logSoftmax` and `losses.softmaxCrossEntropy` use customGrad and
 * are first-order only; code that may sit under a gradient penalty uses these instead.
 */
import { tf } from './tfjs.js';

/** log softmax along the last axis, as x − logSumExp(x). */
export function logSoftmax(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(logits, tf.logSumExp(logits, -1, true)));
}

/** Mean over the batch of the categorical cross-entropy −Σ_k onehot_k · log softmax(logits)_k. */
export function softmaxCrossEntropy(onehotLabels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(onehotLabels, logSoftmax(logits)), -1))) as tf.Scalar);
}

/** Per-sample Euclidean norm over all non-batch dimensions: shape [N] for input [N, ...]. */
export function perSampleNorm(x: tf.Tensor, epsilon = 0): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = tf.reshape(x, [x.shape[0], -1]);
    const squared = tf.sum(tf.square(flat), 1);
    // sqrt'(0) is infinite: a tiny epsilon keeps the penalty's own gradient finite when a
    // critic's input gradient is exactly zero (e.g. a dead ReLU region).
    return tf.sqrt(epsilon > 0 ? tf.add(squared, epsilon) : squared) as tf.Tensor1D;
  });
}

/** One-hot float rows [n, k] for class indices. */
export function oneHotRows(indices: ArrayLike<number>, k: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(indices), 'int32'), k).toFloat() as tf.Tensor2D);
}
