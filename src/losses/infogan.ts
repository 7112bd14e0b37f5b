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
import { tf, logSoftmax } from '../engine/index.js';
import type { InfoCodeSpec, InfoCodes } from '../models/latent.js';
import { defineMetricColumns } from '../runfolder/columns.js';
import type { AuxiliaryTerm } from './types.js';

export { sampleCodes, concatCodes } from '../models/latent.js';
export type { InfoCodeSpec, InfoCodes } from '../models/latent.js';

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

/** The codes and weights of a run: `infogan` in the run config. */
export interface InfoganSettings extends InfoCodeSpec {
  lambdaCategorical: number;
  lambdaContinuous: number;
}

/** The paper's (MNIST): one 10-way categorical and two continuous codes, λ 1 for both parts. */
export const INFOGAN_DEFAULTS: Readonly<InfoganSettings> = Object.freeze({ categorical: [10], continuous: 2, lambdaCategorical: 1, lambdaContinuous: 1 });

/** The metrics column of the term's logged value, L_I itself (not −λL_I). */
export const INFOGAN_COLUMNS = defineMetricColumns([
  { name: 'mutualInformation', label: 'InfoGAN: the bound L_I', unit: 'nats', panel: 'InfoGAN bound L_I', series: 'L_I', progress: { label: 'L_I', digits: 2 } },
] as const, 'loss');

/** H(c) = Σ log K + d · log 2 (nats). */
export function codeEntropy(spec: InfoCodeSpec): number {
  return spec.categorical.reduce((h, k) => h + Math.log(k), 0) + spec.continuous * Math.log(2);
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

/** Q's raw outputs [N, ΣK + d] as categorical logits (one slice per code) and Gaussian means (σ = 1). */
export function splitQOutputs(q: tf.Tensor2D, spec: InfoCodeSpec): QOutputs {
  const sizes = [...spec.categorical, ...(spec.continuous ? [spec.continuous] : [])];
  // Slices rather than tf.split: split's gradient fails ("Pass at least one tensor to concat") for a single part.
  let offset = 0;
  const parts = sizes.map((size) => {
    const part = tf.slice(q, [0, offset], [-1, size]);
    offset += size;
    return part;
  });
  return { categoricalLogits: parts.slice(0, spec.categorical.length), continuousMean: spec.continuous ? parts[parts.length - 1] : undefined };
}

/**
 * InfoGAN as a term of the step: −λ·L_I added to both the D/Q loss and the G loss, from Q's
 * outputs on the generated batch and the codes it was drawn with; L_I itself is logged.
 */
export function infoganTerm(settings: InfoganSettings): AuxiliaryTerm {
  const weights = { lambdaCategorical: settings.lambdaCategorical, lambdaContinuous: settings.lambdaContinuous };
  const bound = (q: tf.Tensor2D | null, codes: InfoCodes | null) => {
    if (!q || !codes) throw new Error('InfoGAN needs the Q head and the codes of the generated batch');
    return mutualInformation(splitQOutputs(q, settings), codes, weights);
  };
  return {
    name: INFOGAN_COLUMNS[0].name,
    discriminator: ({ fake, codes }) => {
      const mi = bound(fake.head, codes);
      return { loss: tf.neg(mi.weightedBound) as tf.Scalar, logged: mi.lowerBound };
    },
    generator: ({ fake, codes }) => tf.neg(bound(fake.head, codes).weightedBound) as tf.Scalar,
  };
}
