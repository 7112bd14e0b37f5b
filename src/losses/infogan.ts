/**
 * InfoGAN's mutual-information term — Chen et al. 2016, "InfoGAN: Interpretable Representation
 * Learning by Information Maximizing Generative Adversarial Nets".
 *
 * The latent is noise z plus codes c: categorical codes (uniform over K values, given to G as
 * one-hot) and continuous codes (U[−1, 1]). A head Q that shares D's body predicts c from
 * G(z, c): softmax logits for each categorical code, and a Gaussian mean (and optionally a log
 * standard deviation; the official code fixes σ = 1) for the continuous codes. The variational
 * lower bound on I(c; G(z, c)) is
 *
 *   L_I = H(c) − CE(c, Q(c | G(z, c)))
 *       = [Σ_cat log K − CE_cat] + [d · log 2 − NLL_gauss]
 *
 * with H(U[−1,1]) = log 2 per continuous dimension and the Gaussian negative log-likelihood
 * NLL = Σ_d ½ log 2π + log σ_d + (c_d − μ_d)² / 2σ_d², averaged over the batch.
 *
 * λ·L_I is **subtracted from both** the generator loss and the D/Q loss, λ = 1 (official code;
 * some implementations use 0.1 for the continuous part — pass `lambdaContinuous`). The term must
 * carry gradients into G *and* Q: nothing here detaches (torchgan's InfoGAN loss does — a bug).
 *
 * Paper defaults (MNIST): Adam, lr 2e-4 for D/Q and 1e-3 for G, β1 0.5; one 10-way categorical
 * and two continuous codes; base loss: non-saturating GAN.
 */
import { tf, Rng, logSoftmax, oneHotRows } from '../engine/index.js';

export interface InfoCodeSpec {
  /** Number of values of each categorical code, e.g. [10]. */
  categorical: number[];
  /** Number of continuous U[−1, 1] codes, e.g. 2. */
  continuous: number;
}

export const DEFAULT_INFO_CODES: InfoCodeSpec = { categorical: [10], continuous: 2 };

export interface InfoCodes {
  /** One one-hot [N, K] tensor per categorical code. */
  categorical: tf.Tensor2D[];
  /** [N, d] continuous codes, or null when d = 0. */
  continuous: tf.Tensor2D | null;
  /** Integer values of the categorical codes, [code][sample]. */
  categoricalIndices: Int32Array[];
}

export interface QOutputs {
  /** One [N, K] logit tensor per categorical code. */
  categoricalLogits: tf.Tensor[];
  /** [N, d] Gaussian means for the continuous codes. */
  continuousMean?: tf.Tensor;
  /** [N, d] log standard deviations; omitted = fixed σ = 1 (official code). */
  continuousLogStd?: tf.Tensor;
}

export interface InfoWeights {
  lambdaCategorical?: number;
  lambdaContinuous?: number;
}

/** H(c) = Σ log K + d · log 2 (nats). */
export function codeEntropy(spec: InfoCodeSpec): number {
  return spec.categorical.reduce((h, k) => h + Math.log(k), 0) + spec.continuous * Math.log(2);
}

/** Draws codes for a batch of n from the InfoGAN prior, in a fixed order (categoricals, then continuous). */
export function sampleCodes(rng: Rng, spec: InfoCodeSpec, n: number): InfoCodes {
  const categoricalIndices = spec.categorical.map((k) => Int32Array.from({ length: n }, () => rng.int(k)));
  const categorical = categoricalIndices.map((idx, i) => oneHotRows(idx, spec.categorical[i]));
  const continuous = spec.continuous > 0 ? (rng.uniform([n, spec.continuous], -1, 1) as tf.Tensor2D) : null;
  return { categorical, continuous, categoricalIndices };
}

/** The codes as one [N, Σ K + d] tensor, the part of G's input that follows z. */
export function concatCodes(codes: InfoCodes): tf.Tensor2D {
  const parts: tf.Tensor2D[] = [...codes.categorical, ...(codes.continuous ? [codes.continuous] : [])];
  return tf.concat(parts, 1) as tf.Tensor2D;
}

export interface MutualInformationTerms {
  /** λ-weighted L_I: subtract it from the G loss and from the D/Q loss. */
  weightedBound: tf.Scalar;
  /** Unweighted L_I = H(c) − CE (nats), for logging. */
  lowerBound: tf.Scalar;
}

/** The InfoGAN mutual-information lower bound from Q's outputs on G(z, c) and the codes c. */
export function mutualInformation(q: QOutputs, codes: InfoCodes, { lambdaCategorical = 1, lambdaContinuous = 1 }: InfoWeights = {}): MutualInformationTerms {
  if (q.categoricalLogits.length !== codes.categorical.length) {
    throw new Error(`Q has ${q.categoricalLogits.length} categorical heads but there are ${codes.categorical.length} categorical codes`);
  }
  if (Boolean(codes.continuous) !== Boolean(q.continuousMean)) {
    throw new Error('Q must predict a continuous mean exactly when there are continuous codes');
  }
  return tf.tidy(() => {
    let categoricalPart: tf.Tensor = tf.scalar(0);
    codes.categorical.forEach((onehot, i) => {
      const logits = q.categoricalLogits[i];
      if (logits.shape.join() !== onehot.shape.join()) throw new Error(`categorical head ${i} has shape [${logits.shape}], codes [${onehot.shape}]`);
      const crossEntropy = tf.neg(tf.mean(tf.sum(tf.mul(onehot, logSoftmax(logits)), 1)));
      categoricalPart = tf.add(categoricalPart, tf.sub(Math.log(onehot.shape[1]), crossEntropy));
    });
    let continuousPart: tf.Tensor = tf.scalar(0);
    if (codes.continuous && q.continuousMean) {
      const c = codes.continuous;
      const d = c.shape[1];
      const logStd = q.continuousLogStd ?? tf.zerosLike(q.continuousMean);
      const z = tf.div(tf.sub(c, q.continuousMean), tf.exp(logStd));
      const nll = tf.mean(tf.sum(tf.add(tf.add(0.5 * Math.log(2 * Math.PI), logStd), tf.mul(0.5, tf.square(z))), 1));
      continuousPart = tf.sub(d * Math.log(2), nll);
    }
    return {
      weightedBound: tf.add(tf.mul(lambdaCategorical, categoricalPart), tf.mul(lambdaContinuous, continuousPart)) as tf.Scalar,
      lowerBound: tf.add(categoricalPart, continuousPart) as tf.Scalar,
    };
  });
}
