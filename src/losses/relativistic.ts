/**
 * Relativistic GANs — Jolicoeur-Martineau 2018, "The relativistic discriminator: a key element
 * missing from standard GAN". C(x) is the raw critic output, C_r = C(x_r), C_f = C(x_f).
 *
 *   RSGAN    L_D = E[softplus(−(C_r − C_f))]                  (pairs real i with fake i)
 *            L_G = E[softplus(−(C_f − C_r))]
 *   RaSGAN   L_D = ½(E[softplus(−(C_r − E C_f))] + E[softplus(C_f − E C_r)])
 *            L_G = ½(E[softplus(−(C_f − E C_r))] + E[softplus(C_r − E C_f)])
 *   RaLSGAN  L_D = ½(E[(C_r − E C_f − 1)²] + E[(C_f − E C_r + 1)²])
 *            L_G = ½(E[(C_f − E C_r − 1)²] + E[(C_r − E C_f + 1)²])
 *   RaHinge  L_D = ½(E[relu(1 − (C_r − E C_f))] + E[relu(1 + (C_f − E C_r))])
 *            L_G = ½(E[relu(1 − (C_f − E C_r))] + E[relu(1 + (C_r − E C_f))])
 *
 * The ½ is the paper's and the author's code's (TF-GAN omits it — a deviation). The generator
 * losses depend on the real outputs too: the generator's gradient flows through C_f only, but
 * the trainer must evaluate C on a real batch for the G step.
 *
 * Defaults (the paper's CIFAR-10 setup): Adam lr 2e-4, β1 0.5, β2 0.999, one D step per G step.
 */
import { tf } from '../engine/index.js';
import { asBatch } from './common.js';

type Pair = [tf.Tensor, tf.Tensor];

/** Relativistic average differences (C_r − E C_f, C_f − E C_r). */
function averagedDifferences(real: tf.Tensor, fake: tf.Tensor): Pair {
  const r = asBatch(real);
  const f = asBatch(fake);
  return [tf.sub(r, tf.mean(f)), tf.sub(f, tf.mean(r))];
}

function pairedLength(real: tf.Tensor, fake: tf.Tensor): void {
  if (asBatch(real).shape[0] !== asBatch(fake).shape[0]) {
    throw new Error(`RSGAN pairs real and fake samples: batch sizes must match, got ${real.shape[0]} and ${fake.shape[0]}`);
  }
}

/** RSGAN D loss: E[softplus(−(C_r − C_f))]. */
export function rsganDiscriminatorLoss(real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  pairedLength(real, fake);
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(tf.sub(asBatch(real), asBatch(fake))))) as tf.Scalar);
}

/** RSGAN G loss: E[softplus(−(C_f − C_r))]. */
export function rsganGeneratorLoss(real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return rsganDiscriminatorLoss(fake, real);
}

/** The ½(ℓ₊(C_a − E C_b) + ℓ₋(C_b − E C_a)) shape shared by RaSGAN, RaLSGAN and RaHinge. */
function relativisticAverage(
  a: tf.Tensor,
  b: tf.Tensor,
  positive: (t: tf.Tensor) => tf.Tensor,
  negative: (t: tf.Tensor) => tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    const [aDiff, bDiff] = averagedDifferences(a, b);
    return tf.mul(0.5, tf.add(tf.mean(positive(aDiff)), tf.mean(negative(bDiff)))) as tf.Scalar;
  });
}

const softplusOfNegated = (t: tf.Tensor) => tf.softplus(tf.neg(t));
const softplusOf = (t: tf.Tensor) => tf.softplus(t);
const squaredFromOne = (t: tf.Tensor) => tf.square(tf.sub(t, 1));
const squaredFromMinusOne = (t: tf.Tensor) => tf.square(tf.add(t, 1));
const hingeBelowOne = (t: tf.Tensor) => tf.relu(tf.sub(1, t));
const hingeAboveMinusOne = (t: tf.Tensor) => tf.relu(tf.add(1, t));

export const rasganDiscriminatorLoss = (real: tf.Tensor, fake: tf.Tensor) => relativisticAverage(real, fake, softplusOfNegated, softplusOf);
export const rasganGeneratorLoss = (real: tf.Tensor, fake: tf.Tensor) => relativisticAverage(fake, real, softplusOfNegated, softplusOf);
export const ralsganDiscriminatorLoss = (real: tf.Tensor, fake: tf.Tensor) => relativisticAverage(real, fake, squaredFromOne, squaredFromMinusOne);
export const ralsganGeneratorLoss = (real: tf.Tensor, fake: tf.Tensor) => relativisticAverage(fake, real, squaredFromOne, squaredFromMinusOne);
export const rahingeDiscriminatorLoss = (real: tf.Tensor, fake: tf.Tensor) => relativisticAverage(real, fake, hingeBelowOne, hingeAboveMinusOne);
export const rahingeGeneratorLoss = (real: tf.Tensor, fake: tf.Tensor) => relativisticAverage(fake, real, hingeBelowOne, hingeAboveMinusOne);
