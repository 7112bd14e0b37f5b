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
  lambda: row<number>(positiveNumber, 'gradient-penalty weight λ (wgan-gp, dragan)', 'lambda'),
  oneSided: row<boolean>(trueOrFalse, 'WGAN-GP: the one-sided penalty max(0, ‖∇D‖ − 1)²'),
  gamma: row<number>(positiveNumber, "R1/R2 weight γ, or BEGAN's diversity ratio γ", 'gamma'),
  clipValue: row<number>(positiveNumber, 'WGAN: weight-clipping bound c'),
  warmup: row<boolean>(trueOrFalse, "WGAN: the reference code's critic warm-up (100 critic steps for the first 25 G steps and every 500th)"),
  coding: row<keyof typeof LSGAN_CODINGS>(oneOf(Object.keys(LSGAN_CODINGS)), 'LSGAN: the coding (a, b, c)'),
  realLabelSmoothing: row<number>(numberIn(0, 1, true), 'one-sided smoothing s of the real target 1 − s (ns, minimax, dragan, r1, r2)'),
  lambdaK: row<number>(positiveNumber, "BEGAN: the gain λ_k of k's update"),
  noiseScale: row<number>(positiveNumber, 'DRAGAN: the perturbation scale, relative to std(x)'),
  perturbation: row<'uniform' | 'gaussian'>(oneOf(['uniform', 'gaussian']), "DRAGAN: noise U[0,1) (reference code) or N(0, 1) (the paper's δ)"),
};

export type HyperparameterName = keyof typeof HYPERPARAMETERS;

/** Every hyper-parameter any loss reads; each loss's preset says which ones it has. */
export type LossHyperparameters = {
  [K in HyperparameterName]?: (typeof HYPERPARAMETERS)[K] extends HyperparameterRow<infer T> ? T : never;
};
