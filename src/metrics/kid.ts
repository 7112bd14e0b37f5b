/**
 * Kernel Inception Distance (Bińkowski et al. 2018), on gankit's feature network: the unbiased
 * estimate of MMD² with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, averaged over
 * random subsets of equal size m:
 *   MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(m(m−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/m² Σ_{i,j} k(xᵢ, yⱼ)
 * Unbiased: its expectation is 0 when both sets come from one distribution (single estimates can
 * be negative). Subsets are drawn with gankit's seeded Rng.
 */
import { Rng } from '../engine/index.js';

export interface KidResult {
  mean: number;
  std: number;
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

export function kid(real: ArrayLike<number>, realCount: number, fake: ArrayLike<number>, fakeCount: number, dim: number, { subsets = 10, subsetSize = 500, seed = 0 } = {}): KidResult {
  const m = Math.min(subsetSize, realCount, fakeCount);
  if (m < 2) throw new Error(`KID needs at least 2 samples per set, got ${realCount} and ${fakeCount}`);
  const rng = new Rng(seed);
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const xi = rng.permutation(realCount).subarray(0, m);
    const yi = rng.permutation(fakeCount).subarray(0, m);
    values.push(mmdUnbiased(real, xi, fake, yi, dim));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std, subsets, subsetSize: m };
}
