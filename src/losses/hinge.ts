/**
 * Hinge loss — Lim & Ye 2017 ("Geometric GAN"); Miyato et al. 2018 (SN-GAN) and Zhang et al.
 * 2019 (SAGAN) made it standard.
 *
 *   L_D = E[relu(1 − D(x))] + E[relu(1 + D(G(z)))]
 *   L_G = −E[D(G(z))]
 *
 * Defaults: Adam lr 2e-4, β1 0.5, β2 0.999, one D step per G step (SN-GAN's setting "C").
 */
import { tf } from '../engine/index.js';
import { asBatch } from './common.js';

export function hingeDiscriminatorLoss(realOutputs: tf.Tensor, fakeOutputs: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () =>
      tf.add(
        tf.mean(tf.relu(tf.sub(1, asBatch(realOutputs)))),
        tf.mean(tf.relu(tf.add(1, asBatch(fakeOutputs)))),
      ) as tf.Scalar,
  );
}

export function hingeGeneratorLoss(fakeOutputs: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(asBatch(fakeOutputs))) as tf.Scalar);
}
