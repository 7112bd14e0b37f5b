/**
 * Boundary Equilibrium GAN — Berthelot, Schumm & Metz 2017, "BEGAN: Boundary Equilibrium
 * Generative Adversarial Networks".
 *
 * The discriminator is an autoencoder AE; its loss on a sample is the L1 reconstruction error
 *   L(v) = mean |v − AE(v)|   (η = 1; the mean over pixels, as in the reference implementations)
 * and the losses are
 *   L_D = L(x) − k_t · L(G(z))
 *   L_G = L(G(z))
 *   k_{t+1} = clip(k_t + λ_k (γ L(x) − L(G(z))), 0, 1),   k₀ = 0, λ_k = 0.001
 * γ ∈ [0, 1] is the diversity ratio E[L(G(z))] / E[L(x)] the equilibrium aims for. Papers and
 * implementations use 0.5, 0.75 or 1.0 — gankit's preset says 0.5 and the value is always
 * recorded with a run. The convergence measure
 *   M_global = L(x) + |γ L(x) − L(G(z))|
 * is logged; the paper decays the learning rate (from 1e-4, Adam) by ½ when M stalls.
 *
 * In L_D, k_t is a constant (no gradient), and G(z) is held fixed (the D step does not update G).
 * These are not "log of the discriminator output" losses, whatever popular write-ups say.
 */
import { tf } from '../engine/index.js';
import { checkUnitInterval, checkPositive } from './common.js';

/** L(v) = mean |v − AE(v)| over the batch and every element (L1, η = 1). */
export function autoencoderLoss(inputs: tf.Tensor, reconstructions: tf.Tensor): tf.Scalar {
  if (inputs.shape.join() !== reconstructions.shape.join()) {
    throw new Error(`reconstructions must have the shape of the inputs [${inputs.shape}], got [${reconstructions.shape}]`);
  }
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(inputs, reconstructions))) as tf.Scalar);
}

/** L_D = L(x) − k_t · L(G(z)). */
export function beganDiscriminatorLoss(realReconstructionLoss: tf.Tensor, fakeReconstructionLoss: tf.Tensor, k: number): tf.Scalar {
  checkUnitInterval('k', k);
  return tf.tidy(() => tf.sub(tf.mean(realReconstructionLoss), tf.mul(k, tf.mean(fakeReconstructionLoss))) as tf.Scalar);
}

/** L_G = L(G(z)). */
export function beganGeneratorLoss(fakeReconstructionLoss: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(fakeReconstructionLoss) as tf.Scalar);
}

export interface BeganBalance {
  /** Diversity ratio γ ∈ [0, 1]. */
  gamma: number;
  /** Proportional gain λ_k for k (paper: 0.001). */
  lambdaK?: number;
}

/** k_{t+1} = clip(k_t + λ_k (γ L(x) − L(G(z))), 0, 1). Takes and returns plain numbers. */
export function updateK(k: number, realLoss: number, fakeLoss: number, { gamma, lambdaK = 0.001 }: BeganBalance): number {
  checkUnitInterval('gamma', gamma);
  checkPositive('lambdaK', lambdaK);
  return Math.min(1, Math.max(0, k + lambdaK * (gamma * realLoss - fakeLoss)));
}

/** M_global = L(x) + |γ L(x) − L(G(z))|. */
export function convergenceMeasure(realLoss: number, fakeLoss: number, gamma: number): number {
  return realLoss + Math.abs(gamma * realLoss - fakeLoss);
}
