/**
 * Auxiliary-classifier GAN — Odena, Olah & Shlens 2017, "Conditional Image Synthesis with
 * Auxiliary Classifier GANs".
 *
 * D has two heads: the adversarial output and class logits. With L_C the class log-likelihood
 * on real and generated samples, D maximises L_S + L_C and G maximises L_C − L_S. As losses to
 * minimise (cross-entropy CE = −log-likelihood):
 *   D:  adversarial D loss + CE(y_real, D_cls(x)) + CE(y_fake, D_cls(G(z, y_fake)))
 *   G:  adversarial G loss + CE(y_fake, D_cls(G(z, y_fake)))
 * The adversarial part is any gankit loss (the paper: the standard GAN, non-saturating in
 * practice). Paper defaults: Adam lr 2e-4, β1 0.5.
 *
 * Cross-entropy is written as x − logSumExp(x) so it stays differentiable to second order (tfjs's
 * softmaxCrossEntropy is first-order only), which matters when a gradient penalty is added.
 */
import { tf, softmaxCrossEntropy } from '../engine/index.js';
import { defineMetricColumns } from '../runfolder/columns.js';
import type { AuxiliaryTerm } from './types.js';

/** D's auxiliary-classifier loss: CE on real samples plus CE on generated samples. */
export function acganDiscriminatorClassLoss(
  realClassLogits: tf.Tensor,
  realLabelsOnehot: tf.Tensor,
  fakeClassLogits: tf.Tensor,
  fakeLabelsOnehot: tf.Tensor,
): tf.Scalar {
  return tf.tidy(
    () => tf.add(softmaxCrossEntropy(realLabelsOnehot, realClassLogits), softmaxCrossEntropy(fakeLabelsOnehot, fakeClassLogits)) as tf.Scalar,
  );
}

/** G's auxiliary-classifier loss: CE of the class it was asked for on its own samples. */
export function acganGeneratorClassLoss(fakeClassLogits: tf.Tensor, fakeLabelsOnehot: tf.Tensor): tf.Scalar {
  return softmaxCrossEntropy(fakeLabelsOnehot, fakeClassLogits);
}

/** The metrics column of the term's logged value. */
export const ACGAN_COLUMNS = defineMetricColumns([
  { name: 'auxClassLoss', label: "ACGAN: D's class cross-entropy on real + generated samples", unit: 'CE', panel: 'ACGAN class loss (D, real + fake)', series: 'CE' },
] as const, 'loss');

/** ACGAN as a term of the step: the class losses above from D's class head, logged as D's. */
export function acganTerm(): AuxiliaryTerm {
  const need = <T>(t: T | null, what: string): T => {
    if (t === null) throw new Error(`ACGAN needs ${what}`);
    return t;
  };
  return {
    name: ACGAN_COLUMNS[0].name,
    discriminator: ({ real, fake, yReal, yFake }) => {
      const loss = acganDiscriminatorClassLoss(need(need(real, 'the real batch').head, "D's class head"), need(yReal, 'labelled data'), need(fake.head, "D's class head"), need(yFake, 'labels for G'));
      return { loss, logged: loss };
    },
    generator: ({ fake, yFake }) => acganGeneratorClassLoss(need(fake.head, "D's class head"), need(yFake, 'labels for G')),
  };
}
