/** FID against closed forms, KID's unbiasedness, precision/recall/density/coverage on toy sets. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, initEngine } from '../src/engine/index.js';
import { frechetDistance, fid, fidInfinity, gaussianStats } from '../src/metrics/fid.js';
import { symmetricEigen, sqrtmSymmetric, matMul } from '../src/metrics/linalg.js';
import { kid, mmdUnbiased } from '../src/metrics/kid.js';
import { precisionRecall } from '../src/metrics/prdc.js';
import { kthNeighbourRadii } from '../src/metrics/pairwise.js';

// KID and precision/recall multiply on the engine (the suite's backend and kernels).
before(() => initEngine());

const stats = (mean: number[], cov: number[][]) => ({ mean: Float64Array.from(mean), cov: Float64Array.from(cov.flat()), dim: mean.length, count: 0 });
const gaussian = (rng: Rng, n: number, mean: number[], std = 1) => {
  const d = mean.length;
  const z = rng.normalArray(n * d);
  for (let i = 0; i < n * d; i++) z[i] = mean[i % d] + std * z[i];
  return z;
};

describe('linear algebra', () => {
  it('symmetric eigendecomposition reconstructs the matrix; sqrtm squares back', () => {
    const d = 4;
    const a = Float64Array.from([4, 1, 0.5, 0, 1, 3, 0.2, 0.1, 0.5, 0.2, 2, 0.3, 0, 0.1, 0.3, 1]);
    const { values, vectors } = symmetricEigen(a, d);
    const back = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) back[i * d + j] += vectors[i * d + k] * values[k] * vectors[j * d + k];
    back.forEach((v, i) => assert.ok(Math.abs(v - a[i]) < 1e-12, `A[${i}] ${v} vs ${a[i]}`));
    const r = sqrtmSymmetric(a, d);
    matMul(r, r, d).forEach((v, i) => assert.ok(Math.abs(v - a[i]) < 1e-12));
  });
});

describe('FID', () => {
  it('closed forms: identical Gaussians 0; N(0,I) vs N(μ,I) = ‖μ‖²; diagonal Σ₁, Σ₂: Σ(√a − √b)²', () => {
    const i3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    assert.ok(Math.abs(frechetDistance(stats([1, 2, 3], i3), stats([1, 2, 3], i3))) < 1e-12);
    assert.ok(Math.abs(frechetDistance(stats([0, 0, 0], i3), stats([1, -2, 2], i3)) - 9) < 1e-12);
    const diag = frechetDistance(stats([0, 0], [[4, 0], [0, 9]]), stats([0, 0], [[1, 0], [0, 16]]));
    assert.ok(Math.abs(diag - ((2 - 1) ** 2 + (3 - 4) ** 2)) < 1e-12, `diagonal case ${diag}`);
  });

  it('non-commuting covariances: Tr((Σ₁Σ₂)^½) from the symmetric route matches the 2×2 closed form', () => {
    // For 2×2 M with positive eigenvalues, Tr(√M) = √(Tr M + 2√det M).
    const s1 = [[2, 0.8], [0.8, 1]];
    const s2 = [[1, -0.3], [-0.3, 0.5]];
    const m = [[s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0], s1[0][0] * s2[0][1] + s1[0][1] * s2[1][1]], [s1[1][0] * s2[0][0] + s1[1][1] * s2[1][0], s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1]]];
    const traceSqrt = Math.sqrt(m[0][0] + m[1][1] + 2 * Math.sqrt(m[0][0] * m[1][1] - m[0][1] * m[1][0]));
    const expected = 2 + 1 + 1 + 0.5 - 2 * traceSqrt;
    const got = frechetDistance(stats([0, 0], s1), stats([0, 0], s2));
    assert.ok(Math.abs(got - expected) < 1e-12, `${got} vs ${expected}`);
  });

  it('from samples: same distribution ≈ 0, shifted mean ≈ ‖μ‖²', () => {
    const rng = new Rng(1);
    const n = 20000;
    const a = gaussian(rng, n, [0, 0, 0, 0]);
    const b = gaussian(rng, n, [0, 0, 0, 0]);
    const c = gaussian(rng, n, [1, 0, -1, 0.5]);
    assert.ok(fid(a, n, b, n, 4) < 0.01, `same: ${fid(a, n, b, n, 4)}`);
    const shifted = fid(a, n, c, n, 4);
    assert.ok(Math.abs(shifted - 2.25) < 0.05, `shifted: ${shifted}`);
    assert.equal(gaussianStats(a, n, 4).count, n);
  });
});

describe('KID', () => {
  it('unbiased: ≈ 0 on average for equal distributions, clearly positive for different ones', () => {
    const rng = new Rng(2);
    const n = 600;
    const d = 8;
    const a = gaussian(rng, n, new Array(d).fill(0));
    const b = gaussian(rng, n, new Array(d).fill(0));
    const same = kid(a, n, b, n, d, { subsets: 20, subsetSize: 200, seed: 1 });
    assert.ok(Math.abs(same.mean) < 3 * same.std / Math.sqrt(same.subsets) + 1e-3, `same: ${same.mean} ± ${same.std}`);
    const c = gaussian(rng, n, new Array(d).fill(0.5));
    const diff = kid(a, n, c, n, d, { subsets: 20, subsetSize: 200, seed: 1 });
    assert.ok(diff.mean > 10 * Math.abs(same.mean) && diff.mean > 0.05, `different: ${diff.mean}`);
  });
});

describe('precision / recall / density / coverage', () => {
  it('identical sets: all 1; far apart: all 0; generated on half the modes: precision 1, recall ≈ ½', () => {
    const rng = new Rng(3);
    const n = 400;
    const a = gaussian(rng, n, [0, 0]);
    const same = precisionRecall(a, n, a, n, 2);
    assert.deepEqual([same.precision, same.recall, same.coverage], [1, 1, 1]);
    assert.ok(Math.abs(same.density - 1) < 0.35, `density ${same.density}`);
    const far = gaussian(rng, n, [100, 100]);
    const apart = precisionRecall(a, n, far, n, 2);
    assert.deepEqual([apart.precision, apart.recall, apart.density, apart.coverage], [0, 0, 0, 0]);
    // real: two clusters; generated: only the first one
    const two = new Float32Array(2 * n);
    const left = gaussian(rng, n / 2, [-10, 0], 0.5);
    const right = gaussian(rng, n / 2, [10, 0], 0.5);
    two.set(left, 0);
    two.set(right, n);
    const half = gaussian(rng, n, [-10, 0], 0.5);
    const pr = precisionRecall(two, n, half, n, 2);
    assert.ok(pr.precision > 0.95, `precision ${pr.precision}`);
    assert.ok(Math.abs(pr.recall - 0.5) < 0.05, `recall ${pr.recall}`);
    assert.ok(Math.abs(pr.coverage - 0.5) < 0.05, `coverage ${pr.coverage}`);
  });
});

/** The definitions, in float64, pair by pair: what the blocked engine products must reproduce. */
function exactPrdc(real: Float32Array, nr: number, fake: Float32Array, nf: number, d: number, k: number) {
  const dist = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let s = 0;
    for (let q = 0; q < d; q++) s += (a[i * d + q] - b[j * d + q]) ** 2;
    return s;
  };
  const radii = (x: Float32Array, n: number) =>
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j === i ? Infinity : dist(x, i, x, j))).sort((a, b) => a - b)[k - 1]);
  const rr = radii(real, nr);
  const fr = radii(fake, nf);
  let precise = 0;
  let density = 0;
  for (let j = 0; j < nf; j++) {
    const inside = rr.filter((r, i) => dist(real, i, fake, j) <= r).length;
    if (inside) precise++;
    density += inside;
  }
  const recall = rr.filter((_, i) => fr.some((r, j) => dist(real, i, fake, j) <= r)).length / nr;
  const coverage = rr.filter((r, i) => Array.from({ length: nf }, (_, j) => j).some((j) => dist(real, i, fake, j) <= r)).length / nr;
  return { precision: precise / nf, recall, density: density / (k * nf), coverage, radii: rr };
}

describe('metrics at N = 10,000: blocked engine products against the float64 definitions', () => {
  // Features at the feature network's scale (mean square ~5 per dimension, offset mean), with
  // duplicated rows (distance 0) and more rows than one block (1,000) so block edges are crossed.
  const scaled = (rng: Rng, n: number, d: number, shift: number) => {
    const x = new Float32Array(n * d);
    const z = rng.normalArray(n * d);
    for (let i = 0; i < n * d; i++) x[i] = 3 + shift + 2.2 * z[i];
    for (let i = 0; i < 20; i++) x.copyWithin((n - 1 - i) * d, i * d, (i + 1) * d);
    return x;
  };

  it('k-NN radii, precision, recall, density and coverage equal the pairwise definitions', () => {
    const rng = new Rng(7);
    const d = 12;
    const nr = 1100;
    const nf = 1050;
    const real = scaled(rng, nr, d, 0);
    const fake = scaled(rng, nf, d, 0.4);
    const exact = exactPrdc(real, nr, fake, nf, d, 5);
    const radii = kthNeighbourRadii(real, nr, d, 5);
    let worst = 0;
    radii.forEach((r, i) => (worst = Math.max(worst, Math.abs(r - exact.radii[i]) / Math.max(1, exact.radii[i]))));
    assert.ok(worst < 1e-4, `radii differ by ${worst} (relative)`);
    const got = precisionRecall(real, nr, fake, nf, d, 5);
    // Float32 products may flip a comparison that is a tie to ~1e-5: allow one sample in a thousand.
    for (const key of ['precision', 'recall', 'density', 'coverage'] as const) assert.ok(Math.abs(got[key] - exact[key]) <= 1e-3, `${key}: ${got[key]} vs ${exact[key]}`);
  });

  it('KID equals the mean of the exact unbiased MMD² estimates on the same subsets; its se is std/√subsets', () => {
    const rng = new Rng(8);
    const d = 16;
    const n = 600;
    const a = scaled(rng, n, d, 0);
    const b = scaled(rng, n, d, 0.1);
    const got = kid(a, n, b, n, d, { subsets: 5, subsetSize: 300, seed: 3 });
    // The same subset draws as kid(): two permutations per subset from Rng(seed).
    const draws = new Rng(3);
    const exact: number[] = [];
    for (let s = 0; s < 5; s++) exact.push(mmdUnbiased(a, draws.permutation(n).subarray(0, 300), b, draws.permutation(n).subarray(0, 300), d));
    const mean = exact.reduce((x, y) => x + y, 0) / exact.length;
    assert.ok(Math.abs(got.mean - mean) < 1e-6 * 216, `KID ${got.mean} vs exact ${mean}`);
    assert.ok(Math.abs(got.se - got.std / Math.sqrt(5)) < 1e-15);
    assert.ok(mean > 0, 'a shifted set has a positive MMD²');
  });

  it("FID∞: FID's 1/N bias is fitted out (same distribution → ≈ 0 while FID at N is biased upwards)", () => {
    const rng = new Rng(9);
    const d = 16;
    const n = 10000;
    const real = gaussian(rng, 20000, new Array(d).fill(0));
    const fake = gaussian(rng, n, new Array(d).fill(0));
    const stats = gaussianStats(real, 20000, d);
    const sizes = [2000, 4000, 6000, 8000, 10000];
    const r = fidInfinity(stats, fake, n, d, sizes);
    assert.equal(r.points.length, 5);
    // The bias of FID at N is about d²/(2N)·(trace terms): positive slope, and the intercept far below FID at 2,000.
    assert.ok(r.slope > 0, `slope ${r.slope}`);
    assert.ok(Math.abs(r.fidInfinity) < r.points[0].fid / 4, `FID∞ ${r.fidInfinity} vs FID(2000) ${r.points[0].fid}`);
    // A shifted mean: FID∞ ≈ ‖μ‖² = 16 · 0.25² = 1.
    const shifted = gaussian(rng, n, new Array(d).fill(0.25));
    const s = fidInfinity(stats, shifted, n, d, sizes);
    assert.ok(Math.abs(s.fidInfinity - 1) < 0.05, `shifted FID∞ ${s.fidInfinity}`);
    assert.throws(() => fidInfinity(stats, fake, n, d, [20000]), /two subset sizes/);
  });
});
