/**
 * The original GAN losses — Goodfellow et al. 2014, "Generative Adversarial Nets".
 *
 * D(x) is the raw logit; σ the sigmoid; softplus(t) = log(1 + eᵗ). Written in logit form, which
 * is the numerically stable one (log σ(t) = −softplus(−t), log(1 − σ(t)) = −softplus(t)).
 *
 *   Discriminator:           L_D = E[softplus(−D(x))] + E[softplus(D(G(z)))]
 *                                 (= binary cross-entropy with real → 1, fake → 0)
 *   Minimax (saturating) G:  L_G = −E[softplus(D(G(z)))]   (= E[log(1 − σ(D(G(z))))])
 *   Non-saturating G:        L_G =  E[softplus(−D(G(z)))]  (= −E[log σ(D(G(z)))])
 *
 * Defaults (the paper's DCGAN-era practice, as in losses.md): Adam lr 2e-4, β1 0.5, β2 0.999,
 * one D step per G step.
 *
 * One-sided label smoothing (Salimans et al. 2016) is *not* part of the loss; it is offered as an
 * explicit option, default 0: with smoothing s the real target is 1 − s, so the real term becomes
 * (1 − s)·softplus(−D(x)) + s·softplus(D(x)). (TF-GAN defaults to s = 0.25; GAN Lab scales the
 * real term by 0.95 — both are deviations from the paper.)
 */
import { tf } from '../engine/index.js';
import { asBatch, checkUnitInterval } from './common.js';

export interface LabelSmoothingOptions {
  /** One-sided label smoothing s ∈ [0, 1): the real label becomes 1 − s. Default 0 (paper). */
  realLabelSmoothing?: number;
}

/** L_D = E[softplus(−D(x))] + E[softplus(D(G(z)))], with optional one-sided label smoothing. */
export function minimaxDiscriminatorLoss(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  { realLabelSmoothing = 0 }: LabelSmoothingOptions = {},
): tf.Scalar {
  checkUnitInterval('realLabelSmoothing', realLabelSmoothing);
  return tf.tidy(() => {
    const real = asBatch(realLogits);
    let realTerm = tf.mean(tf.softplus(tf.neg(real)));
    if (realLabelSmoothing > 0) {
      realTerm = tf.add(tf.mul(1 - realLabelSmoothing, realTerm), tf.mul(realLabelSmoothing, tf.mean(tf.softplus(real))));
    }
    return tf.add(realTerm, tf.mean(tf.softplus(asBatch(fakeLogits)))) as tf.Scalar;
  });
}

/** Saturating generator loss of the minimax game: L_G = −E[softplus(D(G(z)))]. */
export function minimaxGeneratorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.softplus(asBatch(fakeLogits)))) as tf.Scalar);
}

/** Non-saturating generator loss: L_G = E[softplus(−D(G(z)))] = −E[log σ(D(G(z)))]. */
export function nonSaturatingGeneratorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(asBatch(fakeLogits)))) as tf.Scalar);
}
