/**
 * G's input: noise z ~ N(0, I), then (InfoGAN) latent codes c from their prior, then (conditional
 * generators) onehot(y) — drawn in that order from one Rng, so a run's draws never depend on
 * anything but its config and seed.
 *
 * Codes (Chen et al. 2016): categorical codes uniform over K values, given to G as one-hot, and
 * continuous codes U[−1, 1].
 */
import { tf, Rng, oneHotRows } from '../engine/index.js';

export interface InfoCodeSpec {
  /** Number of values of each categorical code, e.g. [10]. */
  categorical: number[];
  /** Number of continuous U[−1, 1] codes, e.g. 2. */
  continuous: number;
}

export interface InfoCodes {
  /** One one-hot [N, K] tensor per categorical code. */
  categorical: tf.Tensor2D[];
  /** [N, d] continuous codes, or null when d = 0. */
  continuous: tf.Tensor2D | null;
  /** Integer values of the categorical codes, [code][sample]. */
  categoricalIndices: Int32Array[];
}

/** Draws codes for a batch of n from the InfoGAN prior, in a fixed order (categoricals, then continuous). */
export function sampleCodes(rng: Rng, spec: InfoCodeSpec, n: number): InfoCodes {
  const categoricalIndices = spec.categorical.map((k) => Int32Array.from({ length: n }, () => rng.int(k)));
  const categorical = categoricalIndices.map((idx, i) => oneHotRows(idx, spec.categorical[i]));
  const continuous = spec.continuous > 0 ? (rng.uniform([n, spec.continuous], -1, 1) as tf.Tensor2D) : null;
  return { categorical, continuous, categoricalIndices };
}

/** The codes as one [N, Σ K + d] tensor, the part of G's input that follows z. */
export function concatCodes(codes: InfoCodes): tf.Tensor2D {
  const parts: tf.Tensor2D[] = [...codes.categorical, ...(codes.continuous ? [codes.continuous] : [])];
  return tf.concat(parts, 1) as tf.Tensor2D;
}

/** Width of the codes' part of G's input: Σ K + d. */
export const codeWidth = (spec: InfoCodeSpec | null): number => (spec ? spec.categorical.reduce((a, b) => a + b, 0) + spec.continuous : 0);

/** One draw of G's input with what it was made of. */
export interface Latent {
  /** [N, noiseDim + Σ K + d + classes]. */
  z: tf.Tensor;
  codes: InfoCodes | null;
  /** onehot(y) [N, classes] for conditional generators. */
  y: tf.Tensor2D | null;
}

export class LatentLayout {
  constructor(
    readonly noiseDim: number,
    readonly codes: InfoCodeSpec | null,
    /** Classes G is conditioned on (0 = unconditional). */
    readonly classes: number,
  ) {}

  /** Size of G's input. */
  get dim(): number {
    return this.noiseDim + codeWidth(this.codes) + this.classes;
  }

  /** n inputs: noise, then codes from their prior, then onehot(y) with y given or drawn uniformly. */
  draw(rng: Rng, n: number, labels?: Int32Array): Latent {
    const noise = rng.normal([n, this.noiseDim]);
    const parts: tf.Tensor[] = [noise];
    let codes: InfoCodes | null = null;
    if (this.codes) {
      codes = sampleCodes(rng, this.codes, n);
      parts.push(concatCodes(codes));
    }
    let y: tf.Tensor2D | null = null;
    if (this.classes > 0) {
      const ys = labels ?? Int32Array.from({ length: n }, () => rng.int(this.classes));
      y = oneHotRows(ys, this.classes);
      parts.push(y);
    }
    return { z: parts.length === 1 ? noise : tf.concat(parts, 1), codes, y };
  }

  /** G's input from explicit parts (latent traversals): noise rows, then each row's categorical and continuous code values. */
  fromParts(noise: tf.Tensor2D, categorical: number[][], continuous: number[][]): tf.Tensor {
    const spec = this.codes;
    if (!spec) return noise;
    const n = noise.shape[0];
    const parts: tf.Tensor[] = [noise];
    spec.categorical.forEach((k, c) => parts.push(oneHotRows(categorical.map((row) => row[c]), k)));
    if (spec.continuous > 0) parts.push(tf.tensor2d(continuous.flat(), [n, spec.continuous]));
    return tf.concat(parts, 1);
  }
}
