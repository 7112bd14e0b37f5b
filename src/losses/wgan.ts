/**
 * Wasserstein GAN with weight clipping — Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN".
 *
 *   Critic:    L_D = E[D(G(z))] − E[D(x)]
 *   Generator: L_G = −E[D(G(z))]
 *   −L_D = E[D(x)] − E[D(G(z))] estimates the Wasserstein-1 distance (up to the Lipschitz
 *   constant K of the critic): plot it.
 *
 * No sigmoid on the critic. Lipschitz continuity is enforced by clipping every critic weight to
 * [−c, c] after every critic update, c = 0.01.
 *
 * Paper defaults (Algorithm 1): RMSProp, lr 5e-5, batch 64, n_critic 5, c 0.01. Momentum-based
 * optimisers (Adam with β1 > 0) made training unstable in the paper. The reference code also runs
 * 100 critic steps while the generator has made fewer than 25 steps and on every 500th generator
 * step (the warm-up schedule; see `criticStepsFor`).
 */
import { tf } from '../engine/index.js';
import { asBatch, checkPositive } from './common.js';

/** L_D = E[D(G(z))] − E[D(x)]. */
export function wassersteinCriticLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sub(tf.mean(asBatch(fakeScores)), tf.mean(asBatch(realScores))) as tf.Scalar);
}

/** L_G = −E[D(G(z))]. */
export function wassersteinGeneratorLoss(fakeScores: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(asBatch(fakeScores))) as tf.Scalar);
}

/** The Wasserstein estimate E[D(x)] − E[D(G(z))] = −L_D. */
export function wassersteinEstimate(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(wassersteinCriticLoss(realScores, fakeScores)) as tf.Scalar);
}

/** Clips every variable in place to [−c, c] (call after each critic update). */
export function clipWeights(variables: tf.Variable[], clipValue = 0.01): void {
  checkPositive('clipValue', clipValue);
  for (const v of variables) {
    tf.tidy(() => v.assign(tf.clipByValue(v, -clipValue, clipValue)));
  }
}

export interface CriticSchedule {
  /** Critic steps per generator step (paper: 5). */
  nCritic: number;
  /** Reference-code warm-up: 100 critic steps while G has made < 25 steps and on every 500th G step. */
  warmup: boolean;
}

/** Number of critic updates before generator step `generatorStep` (0-based), per the WGAN reference code. */
export function criticStepsFor(generatorStep: number, { nCritic, warmup }: CriticSchedule): number {
  if (warmup && (generatorStep < 25 || generatorStep % 500 === 0)) return 100;
  return nCritic;
}
