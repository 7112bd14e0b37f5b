/**
 * Fréchet distance between two Gaussians fitted to feature vectors (Heusel et al. 2017, "FID"):
 *   FID = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^{½})
 * Tr((Σ₁Σ₂)^{½}) is computed as Tr((A Σ₂ A)^{½}) with A = Σ₁^{½}: A Σ₂ A is symmetric positive
 * semi-definite and has the same eigenvalues as Σ₁Σ₂, so both square roots come from a symmetric
 * eigendecomposition (no complex parts to discard, unlike scipy's sqrtm route).
 *
 * gankit has no Inception network (none can be downloaded here): its FID is computed on the
 * features of the feature network it trains and ships, and every report says so and gives the
 * real-vs-real (train vs test) value beside it. Numbers are not comparable with Inception FIDs.
 */
import { meanAndCovariance, sqrtmSymmetric, matMul, symmetricEigen, Matrix } from './linalg.js';
import { Rng } from '../engine/rng.js';

export interface GaussianStats {
  mean: Float64Array;
  cov: Matrix;
  dim: number;
  count: number;
}

export function gaussianStats(features: ArrayLike<number>, count: number, dim: number): GaussianStats {
  const { mean, cov } = meanAndCovariance(features, count, dim);
  return { mean, cov, dim, count };
}

export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.dim !== b.dim) throw new Error(`feature dimensions differ: ${a.dim} and ${b.dim}`);
  const d = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  let trace = 0;
  for (let i = 0; i < d; i++) trace += a.cov[i * d + i] + b.cov[i * d + i];
  const root = sqrtmSymmetric(a.cov, d);
  const inner = matMul(matMul(root, b.cov, d), root, d);
  // Symmetrise against rounding before the eigendecomposition.
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) inner[i * d + j] = inner[j * d + i] = (inner[i * d + j] + inner[j * d + i]) / 2;
  const { values } = symmetricEigen(inner, d);
  const traceSqrt = values.reduce((s, v) => s + Math.sqrt(Math.max(0, v)), 0);
  return Math.max(0, meanTerm + trace - 2 * traceSqrt);
}

/** FID between two sets of features (n × dim, row-major). */
export function fid(real: ArrayLike<number>, realCount: number, fake: ArrayLike<number>, fakeCount: number, dim: number): number {
  return frechetDistance(gaussianStats(real, realCount, dim), gaussianStats(fake, fakeCount, dim));
}

/**
 * FID∞ (Chong & Forsyth 2020, "Effectively Unbiased FID and Inception Score and where to find
 * them"): FID's bias is linear in 1/N, so FID is measured on subsets of N generated samples for
 * several N (against the same reference statistics), a line FID = FID∞ + b/N is fitted by least
 * squares, and its intercept is reported. Subsets are nested prefixes of one seeded permutation.
 * `slope` is b; `points` the (N, FID) pairs fitted.
 */
export function fidInfinity(real: GaussianStats, fake: ArrayLike<number>, fakeCount: number, dim: number, sizes: number[], seed = 0): { fidInfinity: number; slope: number; points: Array<{ n: number; fid: number }> } {
  const ns = sizes.filter((n) => n >= 2 && n <= fakeCount);
  if (ns.length < 2) throw new Error(`FID∞ needs at least two subset sizes between 2 and ${fakeCount}, got ${sizes.join(', ')}`);
  const order = new Rng(seed).permutation(fakeCount);
  const rows = new Float64Array(fakeCount * dim);
  for (let i = 0; i < fakeCount; i++) for (let j = 0; j < dim; j++) rows[i * dim + j] = fake[order[i] * dim + j];
  const points = ns.map((n) => ({ n, fid: frechetDistance(real, gaussianStats(rows.subarray(0, n * dim), n, dim)) }));
  // Least squares of fid on x = 1/n.
  const xs = points.map((p) => 1 / p.n);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = points.reduce((a, p) => a + p.fid, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  points.forEach((p, i) => {
    sxy += (xs[i] - mx) * (p.fid - my);
    sxx += (xs[i] - mx) ** 2;
  });
  const slope = sxy / sxx;
  return { fidInfinity: my - slope * mx, slope, points };
}
