/**
 * What a loss is to the rest of gankit. A `GanLoss` is the adversarial objective of one paper
 * (its D and G losses, an optional penalty, an optional hook after each D step, state across
 * steps, a critic schedule) with its paper preset as data; an `AuxiliaryTerm` is an objective
 * that rides on any loss through D's auxiliary head (InfoGAN's L_I, ACGAN's class loss).
 */
import type { tf, Rng, OptimizerSettings } from '../engine/index.js';
import type { DiscriminatorKind } from '../models/types.js';
import type { InfoCodes } from '../models/latent.js';
import type { FieldType } from '../schema.js';
import type { MetricColumnSpec } from '../runfolder/columns.js';
import type { Critic } from './gradientPenalty.js';
import type { LossHyperparameters } from './hyperparameters.js';

export type { OptimizerName, OptimizerSettings } from '../engine/index.js';
export type { DiscriminatorKind } from '../models/types.js';
export type { LossHyperparameters } from './hyperparameters.js';

export interface LossPreset {
  optimizerD: OptimizerSettings;
  optimizerG: OptimizerSettings;
  /** Discriminator/critic updates per generator update. */
  nCritic: number;
  /** The paper's batch size, where it gives one. */
  batchSize?: number;
  hyper: LossHyperparameters;
  /** Where the preset comes from, and what differs from the paper, in one or two lines. */
  source: string;
}

/** D's per-sample outputs on a real and a generated batch (BEGAN: per-sample L1 reconstruction errors). */
export interface AdversarialOutputs {
  real: tf.Tensor;
  fake: tf.Tensor;
}

export interface PenaltyInputs {
  critic: Critic;
  real: tf.Tensor;
  fake: tf.Tensor;
  rng: Rng;
}

/** Loss state that lives across steps (BEGAN's k). Plain numbers: it goes into checkpoints. */
export type LossState = Record<string, number>;

/** What the 'toy' profile (2-D scale) changes in a loss's paper preset, beyond the shared learning-rate rule. */
export interface ToyProfile {
  hyper?: LossHyperparameters;
  optimizerD?: Partial<OptimizerSettings>;
  optimizerG?: Partial<OptimizerSettings>;
}

export interface GanLoss {
  name: string;
  title: string;
  paper: string;
  /** Formulas as a user reads them in docs and `gankit losses`. */
  formulaD: string;
  formulaG: string;
  discriminator: DiscriminatorKind;
  /** The G loss reads D's outputs on real data too (relativistic losses). */
  generatorUsesReal: boolean;
  preset: LossPreset;
  /** The 2-D-scale changes to the preset that the 'toy' profile makes beyond the penalty rule (e.g. WGAN-GP's β1). */
  toyProfile?: ToyProfile;
  /**
   * The hyper-parameter that weights the loss's gradient penalty (e.g. WGAN-GP's λ). The 'toy'
   * profile scales it by TOY_PENALTY_SCALE (src/losses/hyperparameters.ts), one rule for every
   * penalty.
   */
  penaltyWeight?: string;
  /**
   * Hyper-parameters given a range of their own for this loss (BEGAN's γ lies in [0, 1]), or new
   * ones only this loss reads: name → type, doc line and optionally a `gankit train` flag. A new
   * one becomes a row of the config table (validation, the flag, `--help`) and of docs/losses.md.
   */
  hyperparameters?: Record<string, { type: FieldType; doc: string; flag?: string }>;
  /** D's loss from D's outputs. A hyper-parameter missing from `hyper` takes the preset's value. */
  discriminatorLoss(outputs: AdversarialOutputs, hyper: LossHyperparameters, state: LossState): tf.Scalar;
  generatorLoss(outputs: AdversarialOutputs, hyper: LossHyperparameters, state: LossState): tf.Scalar;
  /** Added to the D loss; differentiated w.r.t. D's weights only. */
  penalty?(inputs: PenaltyInputs, hyper: LossHyperparameters): tf.Scalar;
  /** Runs after every D update (WGAN's weight clipping). */
  afterDiscriminatorStep?(discriminatorVariables: tf.Variable[], hyper: LossHyperparameters): void;
  /** D steps before generator step `generatorStep` (0-based); default n_critic (WGAN: the warm-up schedule). */
  criticSteps?(generatorStep: number, nCritic: number, hyper: LossHyperparameters): number;
  initialState(): LossState;
  /** Next loss state from this step's mean D outputs (BEGAN's k update). */
  nextState(state: LossState, means: { real: number; fake: number }, hyper: LossHyperparameters): LossState;
  /** Scalars worth logging, by metrics column: the Wasserstein estimate, BEGAN's k and M_global. */
  diagnostics(means: { real: number; fake: number }, hyper: LossHyperparameters, state: LossState): Record<string, number>;
  /**
   * The metrics columns `diagnostics` writes, with their labels, charts and progress-line formats;
   * registering the loss adds them to the table (src/runfolder/columns.ts), so metrics.png, the
   * progress line and the page show them.
   */
  columns?: readonly MetricColumnSpec[];
  /** For docs/losses.md: details that matter, and where well-known libraries deviate ([library, deviation]). */
  details?: string[];
  deviations?: Array<[string, string]>;
}

/** D's view of a batch: one score per sample, and its auxiliary head's raw outputs when a term reads them. */
export interface DiscriminatorView {
  score: tf.Tensor1D;
  head: tf.Tensor2D | null;
}

/** What an auxiliary term sees in a step. */
export interface AuxiliaryInputs {
  /** D's view of the generated batch. */
  fake: DiscriminatorView;
  /** D's view of the real batch (the D step only). */
  real: DiscriminatorView | null;
  /** onehot(y) of the real and the generated batch, for conditional runs. */
  yReal: tf.Tensor2D | null;
  yFake: tf.Tensor2D | null;
  /** The latent codes the generated batch was drawn with (InfoGAN). */
  codes: InfoCodes | null;
}

export interface AuxiliaryTerm {
  /** The metrics column its logged value goes to (defined beside the term, src/runfolder/columns.ts). */
  readonly name: string;
  /** What it adds to L_D, and the value to log (e.g. L_I itself rather than −λL_I). */
  discriminator(inputs: AuxiliaryInputs): { loss: tf.Scalar; logged: tf.Scalar };
  /** What it adds to L_G. */
  generator(inputs: AuxiliaryInputs): tf.Scalar;
}

/** Conditioning and auxiliary objectives that wrap a base loss, chosen by name as if they were losses. */
export interface GanVariant {
  name: string;
  title: string;
  paper: string;
  /** The adversarial loss it uses unless told otherwise. */
  baseLoss: string;
  description: string;
  preset: { optimizerD: OptimizerSettings; optimizerG: OptimizerSettings; nCritic: number; source: string };
  /** The config fields the variant sets, given the user's overrides (e.g. conditional: 'concat' unless asked otherwise). */
  configure(overrides: Record<string, unknown>): Record<string, unknown>;
  /** Why a resolved config named by this variant does not train it (null when it does): a title must say what runs. */
  mismatch(config: { conditional: string; infogan: unknown }): string | null;
  /** For docs/losses.md, as for losses. */
  details?: string[];
  deviations?: Array<[string, string]>;
}
