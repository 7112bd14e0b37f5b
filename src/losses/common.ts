/** Shared helpers for the loss modules: every loss takes raw outputs of any shape [N] or [N, 1]. */
import { tf } from '../engine/index.js';

/** Flattens D's outputs to [N] so that E[·] is a mean over the batch. */
export function asBatch(outputs: tf.Tensor): tf.Tensor1D {
  return tf.reshape(outputs, [-1]) as tf.Tensor1D;
}

export function checkPositive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`${name} must be a positive number, got ${value}`);
}

export function checkUnitInterval(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) throw new Error(`${name} must lie in [0, 1], got ${value}`);
}
