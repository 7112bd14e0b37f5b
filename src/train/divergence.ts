/**
 * When a run has diverged: a step whose losses, gradient norms or weights are not finite, or whose
 * weights' norm ‖θ‖ (G and D together) grew beyond WEIGHT_GROWTH_LIMIT times its value at
 * initialisation (at least 1) — beyond that the run has diverged even if no number has overflowed.
 */
import { RunStoppedError } from '../errors.js';

export class DivergenceError extends RunStoppedError {
  constructor(
    readonly step: number,
    readonly what: string,
    readonly reason = 'is not finite',
    note?: string,
  ) {
    super(`training diverged at step ${step}: ${what} ${reason}${note ? `; ${note}` : ''}`);
  }
}

export const WEIGHT_GROWTH_LIMIT = 1000;

/** Throws DivergenceError when the step's numbers say the run diverged. */
export function checkSane(step: number, s: { dLoss: number; gLoss: number; gradNormD: number; gradNormG: number; weightNorm: number }, initialWeightNorm: number): void {
  const bad = ([['D loss', s.dLoss], ['G loss', s.gLoss], ['D gradient norm', s.gradNormD], ['G gradient norm', s.gradNormG], ['a weight', s.weightNorm]] as const).find(([, v]) => !Number.isFinite(v));
  if (bad) throw new DivergenceError(step, bad[0]);
  const limit = WEIGHT_GROWTH_LIMIT * Math.max(initialWeightNorm, 1);
  if (s.weightNorm > limit) throw new DivergenceError(step, 'the weight norm', `grew to ${s.weightNorm.toExponential(2)}, more than ${WEIGHT_GROWTH_LIMIT}× its initial ${initialWeightNorm.toPrecision(3)}`);
}
