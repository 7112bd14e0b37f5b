/** FID against closed forms, KID's unbiasedness, precision/recall/density/coverage on toy sets. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/engine/index.js';
import { frechetDistance, fid, gaussianStats } from '../src/metrics/fid.js';
import { symmetricEigen, sqrtmSymmetric, matMul } from '../src/metrics/linalg.js';
import { kid } from '../src/metrics/kid.js';
import { precisionRecall } from '../src/metrics/prdc.js';

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
