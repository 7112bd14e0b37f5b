/**
 * Gradient penalties: WGAN-GP, DRAGAN, R1 and R2. Each needs the gradient of the critic's
 * output w.r.t. its *input*, and the trainer then differentiates the penalty w.r.t. the critic's
 * *weights* — a second-order gradient (see src/engine/gradients.ts for what makes that correct).
 *
 * All of them assume the critic scores each sample independently (no batch norm in the critic):
 * ∇ₓ Σᵢ D(xᵢ) then holds each sample's own gradient in its row.
 *
 * WGAN-GP — Gulrajani et al. 2017, "Improved Training of Wasserstein GANs":
 *   penalty = λ E[(‖∇_x̂ D(x̂)‖₂ − 1)²],  x̂ = ε x + (1 − ε) x̃,  ε ~ U[0, 1] drawn *per sample*,
 *   ‖·‖₂ *per sample over all of its dimensions* (C×H×W flattened). One-sided variant:
 *   λ E[max(0, ‖∇‖ − 1)²]. Paper: λ = 10, n_critic 5, Adam lr 1e-4, β1 0, β2 0.9 (the authors'
 *   code used β1 0.5; their 2-D toy code used λ = 0.1). Known library bugs this avoids: one ε for
 *   the whole batch (torchgan), a norm over one axis of a 4-D tensor or over the whole batch.
 *
 * DRAGAN — Kodali et al. 2017, "On Convergence and Stability of GANs": the non-saturating GAN
 *   loss plus a penalty around the *real* data (not a log-of-output loss). Reference code:
 *   x_p = x + 0.5 · std(x) · U[0,1) (one std over the whole batch, uniform noise per element),
 *   α ~ U[0,1] per sample, x̂ = x + α (x_p − x), penalty λ E[(‖∇_x̂ D(x̂)‖₂ − 1)²], λ = 10.
 *   Adam lr 1e-4, β1 0.5, β2 0.9, one D step per G step. The paper writes the perturbation as
 *   δ ~ N(0, cI): option `perturbation: 'gaussian'`. On centred 2-D data the one-sided uniform
 *   noise penalises only the +x/+y side of each sample (see docs/losses.md).
 *
 * R1 / R2 — Mescheder, Geiger & Nowozin 2018, "Which Training Methods for GANs do actually
 *   Converge?": R1 = (γ/2) E_{x~data}[‖∇ₓ D(x)‖²] on real data; R2 the same on generated data.
 *   Reference setting: γ = 10, RMSProp lr 1e-4.
 *
 * The penalties are meant for the critic's update, differentiated w.r.t. the critic's weights
 * only (tf.variableGrads with the critic's variables): no gradient reaches the generator.
 *
 * Random draws come from gankit's seeded Rng in a fixed, documented order so that a test (or a
 * user) can reproduce them: WGAN-GP draws N uniforms for ε; DRAGAN draws the per-element noise
 * (N·D uniforms) and then N uniforms for α. Each function also accepts the draws explicitly.
 */
import { tf, Rng, perSampleNorm } from '../engine/index.js';
import { checkPositive } from './common.js';

/** A critic as the penalties see it: a batch of inputs in, one raw score per sample out. */
export type Critic = (x: tf.Tensor) => tf.Tensor;

/** Per-sample gradient of the critic at `points`: ∇ₓ Σᵢ D(xᵢ), same shape as `points`. */
export function criticInputGradient(critic: Critic, points: tf.Tensor): tf.Tensor {
  return tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(points);
}

export interface NormPenaltyOptions {
  /** Penalise only norms above 1: max(0, ‖g‖ − 1)² (Gulrajani et al., appendix). Default false. */
  oneSided?: boolean;
}

/** E[(‖∇_x̂ D(x̂)‖₂ − 1)²] with the norm per sample over all non-batch dimensions (no λ). */
export function unitGradientNormPenalty(critic: Critic, points: tf.Tensor, { oneSided = false }: NormPenaltyOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    // The tiny ε inside the square root keeps d‖g‖/dg finite where g = 0 (it shifts ‖g‖ by < 1e-6).
    const norms = perSampleNorm(criticInputGradient(critic, points), 1e-12);
    const excess = tf.sub(norms, 1);
    return tf.mean(tf.square(oneSided ? tf.relu(excess) : excess)) as tf.Scalar;
  });
}

/** Broadcastable per-sample coefficient: values [N] reshaped to [N, 1, …, 1] for a batch of `like`. */
function perSample(values: tf.Tensor, like: tf.Tensor): tf.Tensor {
  return tf.reshape(values, [like.shape[0], ...like.shape.slice(1).map(() => 1)]);
}

function checkBatch(name: string, t: tf.Tensor, n: number): void {
  if (t.shape[0] !== n) throw new Error(`${name} must have ${n} rows (one per sample), got shape [${t.shape}]`);
}

/** x̂ = ε x + (1 − ε) x̃ with one ε per sample (ε has shape [N]). */
export function interpolate(real: tf.Tensor, fake: tf.Tensor, epsilon: tf.Tensor): tf.Tensor {
  if (real.shape.join() !== fake.shape.join()) {
    throw new Error(`real and fake batches must have the same shape, got [${real.shape}] and [${fake.shape}]`);
  }
  checkBatch('epsilon', epsilon, real.shape[0]);
  return tf.tidy(() => {
    const e = perSample(epsilon, real);
    return tf.add(tf.mul(e, real), tf.mul(tf.sub(1, e), fake));
  });
}

export interface WganGpOptions extends NormPenaltyOptions {
  /** Penalty weight λ (paper: 10; the authors' 2-D toy code: 0.1). */
  lambda?: number;
  /** Source of ε ~ U[0,1] per sample (N draws). Ignored when `epsilon` is given. */
  rng?: Rng;
  /** Explicit ε, shape [N]. */
  epsilon?: tf.Tensor;
}

/** WGAN-GP penalty λ E[(‖∇_x̂ D(x̂)‖₂ − 1)²] at random interpolates of real and fake samples. */
export function wganGpPenalty(critic: Critic, real: tf.Tensor, fake: tf.Tensor, options: WganGpOptions = {}): tf.Scalar {
  const { lambda = 10, oneSided = false } = options;
  checkPositive('lambda', lambda);
  const n = real.shape[0];
  return tf.tidy(() => {
    const epsilon = options.epsilon ?? requireRng(options.rng, 'wganGpPenalty').uniform([n]);
    const points = interpolate(real, fake, epsilon);
    return tf.mul(lambda, unitGradientNormPenalty(critic, points, { oneSided })) as tf.Scalar;
  });
}

export interface DraganOptions extends NormPenaltyOptions {
  /** Penalty weight λ (reference: 10). */
  lambda?: number;
  /** Noise scale relative to std(x) (reference: 0.5). */
  noiseScale?: number;
  rng?: Rng;
  /**
   * 'uniform' (default, the reference code): noise U[0,1) — one-sided, every perturbation points
   * the same way; 'gaussian' (the paper's δ ~ N(0, cI)): standard normal noise, so
   * x_p = x + noiseScale · std(x) · N(0, 1).
   */
  perturbation?: 'uniform' | 'gaussian';
  /** Explicit per-element noise (U[0,1) or N(0,1) draws), same shape as `real`. */
  noise?: tf.Tensor;
  /** Explicit per-sample α ~ U[0,1], shape [N]. */
  alpha?: tf.Tensor;
}

/** DRAGAN's perturbed points x̂ = x + α (x_p − x), x_p = x + noiseScale · std(x) · U[0,1). */
export function draganPoints(real: tf.Tensor, noise: tf.Tensor, alpha: tf.Tensor, noiseScale = 0.5): tf.Tensor {
  if (noise.shape.join() !== real.shape.join()) throw new Error(`noise must have the shape of the real batch [${real.shape}], got [${noise.shape}]`);
  checkBatch('alpha', alpha, real.shape[0]);
  return tf.tidy(() => {
    // One population standard deviation over every element of the batch, as numpy's x.std().
    const std = tf.sqrt(tf.moments(real).variance);
    const perturbed = tf.add(real, tf.mul(tf.mul(noiseScale, std), noise));
    return tf.add(real, tf.mul(perSample(alpha, real), tf.sub(perturbed, real)));
  });
}

/** DRAGAN penalty λ E[(‖∇_x̂ D(x̂)‖₂ − 1)²] around the real data. Add it to the NS-GAN D loss. */
export function draganPenalty(critic: Critic, real: tf.Tensor, options: DraganOptions = {}): tf.Scalar {
  const { lambda = 10, noiseScale = 0.5, oneSided = false } = options;
  checkPositive('lambda', lambda);
  checkPositive('noiseScale', noiseScale);
  return tf.tidy(() => {
    const rng = options.noise && options.alpha ? undefined : requireRng(options.rng, 'draganPenalty');
    const noise = options.noise ?? (options.perturbation === 'gaussian' ? rng!.normal(real.shape) : rng!.uniform(real.shape));
    const alpha = options.alpha ?? rng!.uniform([real.shape[0]]);
    const points = draganPoints(real, noise, alpha, noiseScale);
    return tf.mul(lambda, unitGradientNormPenalty(critic, points, { oneSided })) as tf.Scalar;
  });
}

/** (γ/2) E[‖∇ₓ D(x)‖²] at the given points: R1 when they are real data, R2 when generated. */
export function zeroCentredGradientPenalty(critic: Critic, points: tf.Tensor, gamma = 10): tf.Scalar {
  checkPositive('gamma', gamma);
  return tf.tidy(() => {
    const g = criticInputGradient(critic, points);
    const squaredNorms = tf.sum(tf.square(tf.reshape(g, [g.shape[0], -1])), 1);
    return tf.mul(gamma / 2, tf.mean(squaredNorms)) as tf.Scalar;
  });
}

/** R1: (γ/2) E_{x~data}[‖∇ₓ D(x)‖²]. */
export function r1Penalty(critic: Critic, real: tf.Tensor, gamma = 10): tf.Scalar {
  return zeroCentredGradientPenalty(critic, real, gamma);
}

/** R2: (γ/2) E_{x~G}[‖∇ₓ D(x)‖²]. */
export function r2Penalty(critic: Critic, fake: tf.Tensor, gamma = 10): tf.Scalar {
  return zeroCentredGradientPenalty(critic, fake, gamma);
}

function requireRng(rng: Rng | undefined, who: string): Rng {
  if (!rng) throw new Error(`${who}: pass an Rng (options.rng) or the random draws explicitly`);
  return rng;
}
