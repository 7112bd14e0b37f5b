/**
 * A training step's objective as a sum of named terms, composed once from the run's config:
 *
 *   L_D = adversarial D loss (the registry entry) + its penalty, if any + Σ auxiliary D terms
 *   L_G = adversarial G loss                                            + Σ auxiliary G terms
 *
 * The auxiliary terms ride on any adversarial loss through D's auxiliary head and are defined
 * beside their loss families: InfoGAN's −λ·L_I (infogan.ts, when the config has `infogan`) and
 * ACGAN's class cross-entropy (acgan.ts, with `conditional: 'acgan'`). The trainer sums what this
 * composes and knows no term by name.
 */
import { getLoss } from './registry.js';
import { infoganTerm, InfoganSettings } from './infogan.js';
import { acganTerm } from './acgan.js';
import type { AuxiliaryTerm, GanLoss } from './types.js';

/** The parts of a run config the objective depends on. */
export interface ObjectiveConfig {
  loss: string;
  infogan: InfoganSettings | null;
  conditional: string;
}

export interface Objective {
  /** The adversarial loss, with its penalty, D hook, critic schedule and state. */
  loss: GanLoss;
  /** In the order they are added to the losses (and their random draws, if any, made). */
  auxiliary: AuxiliaryTerm[];
}

/** Each auxiliary term and when a config asks for it. */
const AUXILIARY_TERMS: Array<(c: ObjectiveConfig) => AuxiliaryTerm | null> = [
  (c) => (c.infogan ? infoganTerm(c.infogan) : null),
  (c) => (c.conditional === 'acgan' ? acganTerm() : null),
];

export function composeObjective(config: ObjectiveConfig): Objective {
  return {
    loss: getLoss(config.loss),
    auxiliary: AUXILIARY_TERMS.map((make) => make(config)).filter((t): t is AuxiliaryTerm => t !== null),
  };
}
