/**
 * Kernel Inception Distance (Bińkowski et al. 2018), on gankit's feature network: the unbiased
 * estimate of MMD² with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, averaged over
 * random subsets of equal size m:
 *   MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(m(m−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/m² Σ_{i,j} k(xᵢ, yⱼ)
 * Unbiased: its expectation is 0 when both sets come from one distribution (single estimates can
 * be negative). Subsets are drawn with gankit's seeded Rng.
 */
import { Rng } from '../engine/index.js';
import { forEachProductBlock } from './pairwise.js';

export interface KidResult {
  mean: number;
  std: number;
  /** std / √subsets. */
  se: number;
  subsets: number;
  subsetSize: number;
}

function kernel(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number): number {
  let dot = 0;
  for (let k = 0; k < d; k++) dot += a[i * d + k] * b[j * d + k];
  return (dot / d + 1) ** 3;
}

/** One unbiased MMD² estimate between rows `xi` of x and rows `yi` of y (equal counts). */
export function mmdUnbiased(x: ArrayLike<number>, xi: ArrayLike<number>, y: ArrayLike<number>, yi: ArrayLike<number>, d: number): number {
  const m = xi.length;
  let kxx = 0;
  let kyy = 0;
  let kxy = 0;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      if (a !== b) {
        kxx += kernel(x, xi[a], x, xi[b], d);
        kyy += kernel(y, yi[a], y, yi[b], d);
      }
      kxy += kernel(x, xi[a], y, yi[b], d);
    }
  }
  return kxx / (m * (m - 1)) + kyy / (m * (m - 1)) - (2 * kxy) / (m * m);
}

/**
 * KID: the mean of `subsets` unbiased MMD² estimates on random subsets of m = min(subsetSize, counts)
 * rows of each set; `std` is their sd and `se` = std/√subsets (the subsets are drawn
 * independently but overlap when subsets·m exceeds a set's size, so `se` is the spread of the
 * mean over subset draws, not over new samples). Each subset's three kernel sums come from m × m
 * products on the engine (float32), summed in float64.
 */
export function kid(real: ArrayLike<number>, realCount: number, fake: ArrayLike<number>, fakeCount: number, dim: number, { subsets = 10, subsetSize = 500, seed = 0 } = {}): KidResult {
  const m = Math.min(subsetSize, realCount, fakeCount);
  if (m < 2) throw new Error(`KID needs at least 2 samples per set, got ${realCount} and ${fakeCount}`);
  const rng = new Rng(seed);
  const values: number[] = [];
  const x32 = Float32Array.from(real as ArrayLike<number>);
  const y32 = Float32Array.from(fake as ArrayLike<number>);
  for (let s = 0; s < subsets; s++) {
    const xi = rng.permutation(realCount).subarray(0, m);
    const yi = rng.permutation(fakeCount).subarray(0, m);
    values.push(mmdOnEngine(x32, xi, y32, yi, dim));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std, se: std / Math.sqrt(values.length), subsets, subsetSize: m };
}

/** mmdUnbiased with the three Gram matrices as engine products. */
function mmdOnEngine(x: Float32Array, xi: ArrayLike<number>, y: Float32Array, yi: ArrayLike<number>, d: number): number {
  const m = xi.length;
  const rows = (v: Float32Array, idx: ArrayLike<number>) => {
    const out = new Float32Array(m * d);
    for (let a = 0; a < m; a++) out.set(v.subarray(idx[a] * d, (idx[a] + 1) * d), a * d);
    return out;
  };
  const xs = rows(x, xi);
  const ys = rows(y, yi);
  const sum = (a: Float32Array, b: Float32Array, offDiagonal: boolean) => {
    let total = 0;
    forEachProductBlock(a, m, b, m, d, (i0, count, gram) => {
      for (let q = 0; q < count * m; q++) {
        const t = gram[q] / d + 1;
        total += t * t * t;
      }
      if (offDiagonal) {
        for (let r = 0; r < count; r++) {
          const t = gram[r * m + i0 + r] / d + 1;
          total -= t * t * t;
        }
      }
    });
    return total;
  };
  return sum(xs, xs, true) / (m * (m - 1)) + sum(ys, ys, true) / (m * (m - 1)) - (2 * sum(xs, ys, false)) / (m * m);
}
