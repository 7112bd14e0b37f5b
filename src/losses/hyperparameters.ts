/**
 * Every hyper-parameter a loss reads, one row each: its type (validation), one doc line (docs,
 * `gankit losses`) and, where there is one, its command-line flag. This table is the `hyper.*`
 * part of the run config's field table (src/train/fields.ts); the values come from each loss's
 * paper preset (src/losses/registry.ts), never from here.
 */
import { trueOrFalse, FieldType, numberIn, oneOf, positiveNumber } from '../schema.js';
import { LSGAN_CODINGS } from './lsgan.js';

export interface HyperparameterRow<T = unknown> {
  type: FieldType;
  doc: string;
  /** `gankit train --FLAG VALUE` sets it. */
  flag?: string;
  /** Only for the TypeScript type of the value. */
  readonly __value?: T;
}

const row = <T>(type: FieldType, doc: string, flag?: string): HyperparameterRow<T> => ({ type, doc, ...(flag ? { flag } : {}) });

export const HYPERPARAMETERS = {
  lambda: row<number>(positiveNumber, 'the weight λ of the gradient penalty', 'lambda'),
  oneSided: row<boolean>(trueOrFalse, 'WGAN-GP: the one-sided penalty max(0, ‖∇D‖ − 1)²'),
  gamma: row<number>(positiveNumber, "the weight γ of the zero-centred gradient penalty (R1, R2), or BEGAN's diversity ratio γ", 'gamma'),
  clipValue: row<number>(positiveNumber, 'WGAN: weight-clipping bound c'),
  warmup: row<boolean>(trueOrFalse, "WGAN: the reference code's critic warm-up (100 critic steps for the first 25 G steps and every 500th)"),
  coding: row<keyof typeof LSGAN_CODINGS>(oneOf(Object.keys(LSGAN_CODINGS)), 'LSGAN: the coding (a, b, c)'),
  realLabelSmoothing: row<number>(numberIn(0, 1, true), 'one-sided smoothing s of the real target 1 − s'),
  lambdaK: row<number>(positiveNumber, "BEGAN: the gain λ_k of k's update"),
  noiseScale: row<number>(positiveNumber, 'DRAGAN: the perturbation scale, relative to std(x)'),
  perturbation: row<'uniform' | 'gaussian'>(oneOf(['uniform', 'gaussian']), "DRAGAN: noise U[0,1) (reference code) or N(0, 1) (the paper's δ)"),
};

export type HyperparameterName = keyof typeof HYPERPARAMETERS;

/**
 * Every hyper-parameter any loss reads; each loss's preset says which ones it has. The table's are
 * typed; one a loss declares in its own entry (`hyperparameters`) is a plain value, read as
 * `h.name as number`.
 */
export type LossHyperparameters = {
  [K in HyperparameterName]?: (typeof HYPERPARAMETERS)[K] extends HyperparameterRow<infer T> ? T : never;
} & { [own: string]: number | string | boolean | undefined };

/**
 * The 2-D scale rule for gradient penalties, one rule for all of them: the 'toy' profile multiplies
 * the paper's penalty weight (the loss's `penaltyWeight`, e.g. WGAN-GP's λ) by 1/100. It is the WGAN-GP authors' own step from images to 2-D (λ 10 in their image code, 0.1 in
 * their toy code). The rule is empirical: at the image weight on ring8, DRAGAN lost every mode in
 * gankit and in a PyTorch replica of the same setting, and kept all 8 at λ 1 and 0.1 (the Wasserstein
 * study sweeps λ ∈ {0.1, 1, 10} and reports all three). An explicit `hyper` value in the config wins over the rule.
 */
export const TOY_PENALTY_SCALE = 0.01;

/** The 2-D-scale weight of a loss's gradient penalty (undefined: the loss has none). */
export function toyPenaltyWeight(loss: { penaltyWeight?: string; preset: { hyper: LossHyperparameters } }): { name: string; paper: number; toy: number } | undefined {
  const name = loss.penaltyWeight;
  const paper = name ? (loss.preset.hyper as Record<string, unknown>)[name] : undefined;
  return name && typeof paper === 'number' ? { name, paper, toy: +(paper * TOY_PENALTY_SCALE).toPrecision(12) } : undefined;
}
