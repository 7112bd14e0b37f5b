/**
 * Least-squares GAN — Mao et al. 2017, "Least Squares Generative Adversarial Networks".
 *
 *   L_D = ½ E[(D(x) − b)²] + ½ E[(D(G(z)) − a)²]
 *   L_G = ½ E[(D(G(z)) − c)²]
 *
 * D is unbounded: no sigmoid before the squares (compare_gan and GAN Lab apply one — a
 * deviation). The ½ factors are the paper's (znxlwm drops them — a rescaling of the loss that
 * changes the effective learning rate).
 *
 * Codings (a, b, c): '0-1-1' = (0, 1, 1), used in the paper's experiments and by most libraries;
 * 'chi2' = (−1, 1, 0), which satisfies b − c = 1, b − a = 2 and so minimises the Pearson χ²
 * divergence (the paper's theory). Default: '0-1-1'.
 *
 * Defaults: Adam lr 2e-4, β1 0.5 (DCGAN practice the paper follows), one D step per G step.
 */
import { tf } from '../engine/index.js';
import { asBatch } from './common.js';

export interface LsganCoding {
  /** Target for fakes in D's loss. */
  a: number;
  /** Target for reals in D's loss. */
  b: number;
  /** Target G wants D to assign to fakes. */
  c: number;
}

export const LSGAN_CODINGS: Record<'0-1-1' | 'chi2', LsganCoding> = {
  '0-1-1': { a: 0, b: 1, c: 1 },
  chi2: { a: -1, b: 1, c: 0 },
};

/** L_D = ½E[(D(x) − b)²] + ½E[(D(G(z)) − a)²]. */
export function lsganDiscriminatorLoss(
  realOutputs: tf.Tensor,
  fakeOutputs: tf.Tensor,
  coding: LsganCoding = LSGAN_CODINGS['0-1-1'],
): tf.Scalar {
  return tf.tidy(
    () =>
      tf.add(
        tf.mul(0.5, tf.mean(tf.square(tf.sub(asBatch(realOutputs), coding.b)))),
        tf.mul(0.5, tf.mean(tf.square(tf.sub(asBatch(fakeOutputs), coding.a)))),
      ) as tf.Scalar,
  );
}

/** L_G = ½E[(D(G(z)) − c)²]. */
export function lsganGeneratorLoss(fakeOutputs: tf.Tensor, coding: LsganCoding = LSGAN_CODINGS['0-1-1']): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, tf.mean(tf.square(tf.sub(asBatch(fakeOutputs), coding.c)))) as tf.Scalar);
}
