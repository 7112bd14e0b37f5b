/**
 * Pairwise products of feature rows in blocks, for the metrics at N = 10,000 (k-NN radii for
 * precision/recall/density/coverage, KID's kernel sums): a 10,000 × 10,000 matrix of squared
 * distances is 800 MB in float64 and ~10¹⁰ multiply-adds, minutes in plain JavaScript. Here each
 * block of rows is one matrix product on the engine (sgemm through the native BLAS kernels when
 * they are on), read back and reduced in float64; no n × n matrix is ever held.
 *
 * Precision: the products are float32. Distances come from ‖a‖² + ‖b‖² − 2aᵀb with the features
 * centred first (on the first set's mean), which keeps the cancellation small; test/metrics tests
 * compare every result with the exact float64 definitions.
 */
import { tf } from '../engine/index.js';

/** Rows per block: a block of 1,000 rows against 10,000 columns is a 40 MB product. */
const BLOCK_ROWS = 1000;

/** Features centred on `mean` (float32, as the engine multiplies them). */
export function centred(x: ArrayLike<number>, n: number, d: number, mean: Float64Array): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = x[i * d + j] - mean[j];
  return out;
}

export function columnMeans(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  return mean;
}

function squaredNorms(x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
    out[i] = s;
  }
  return out;
}

/**
 * Calls `visit(i0, rows, gram)` for consecutive blocks of a's rows, with gram[r·nb + j] = a_{i0+r}ᵀ b_j
 * (float32). The engine's tensors are freed after each block.
 */
export function forEachProductBlock(a: Float32Array, na: number, b: Float32Array, nb: number, d: number, visit: (i0: number, rows: number, gram: Float32Array) => void): void {
  const bt = tf.tensor2d(b, [nb, d]);
  try {
    for (let i0 = 0; i0 < na; i0 += BLOCK_ROWS) {
      const rows = Math.min(BLOCK_ROWS, na - i0);
      // Read outside tf.tidy: tidy walks a returned value element by element.
      const product = tf.tidy(() => tf.matMul(tf.tensor2d(a.subarray(i0 * d, (i0 + rows) * d), [rows, d]), bt, false, true));
      const gram = product.dataSync() as Float32Array;
      product.dispose();
      visit(i0, rows, gram);
    }
  } finally {
    bt.dispose();
  }
}

/**
 * Calls `visit(i0, rows, dist)` for blocks of squared distances dist[r·nb + j] = ‖a_{i0+r} − b_j‖²
 * (float64, clamped at 0). a and b must be centred on one mean.
 */
export function forEachDistanceBlock(a: Float32Array, na: number, b: Float32Array, nb: number, d: number, visit: (i0: number, rows: number, dist: Float64Array) => void): void {
  const an = squaredNorms(a, na, d);
  const bn = squaredNorms(b, nb, d);
  let dist = new Float64Array(0);
  forEachProductBlock(a, na, b, nb, d, (i0, rows, gram) => {
    if (dist.length !== rows * nb) dist = new Float64Array(rows * nb);
    for (let r = 0; r < rows; r++) {
      const ai = an[i0 + r];
      const o = r * nb;
      for (let j = 0; j < nb; j++) dist[o + j] = Math.max(0, ai + bn[j] - 2 * gram[o + j]);
    }
    visit(i0, rows, dist);
  });
}

/**
 * The squared distance from each row of x to its k-th nearest other row of x (the row itself
 * excluded by index, so duplicates count as neighbours at distance 0).
 */
export function kthNeighbourRadii(x: Float32Array, n: number, d: number, k: number): Float64Array {
  if (n <= k) throw new Error(`need more than k = ${k} samples, got ${n}`);
  const radii = new Float64Array(n);
  const best = new Float64Array(k);
  forEachDistanceBlock(x, n, x, n, d, (i0, rows, dist) => {
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      best.fill(Infinity);
      const o = r * n;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const v = dist[o + j];
        if (v >= best[k - 1]) continue;
        // Insert v into the sorted k smallest so far.
        let p = k - 1;
        while (p > 0 && best[p - 1] > v) {
          best[p] = best[p - 1];
          p--;
        }
        best[p] = v;
      }
      radii[i] = best[k - 1];
    }
  });
  return radii;
}
