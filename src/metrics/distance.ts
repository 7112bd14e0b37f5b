/**
 * Sample-based distances between two point clouds, for distributions without discrete modes
 * (spiral, moons, a user's CSV) and as a quality measure over training.
 *
 * Sliced Wasserstein-1: the mean over random unit directions θ of W1 between the projections,
 * which in 1-D is the mean |a_(i) − b_(i)| of the sorted projections (equal sample counts).
 */
import { Rng } from '../engine/index.js';

export function slicedWasserstein(a: Float32Array, b: Float32Array, dim = 2, projections = 64, seed = 7): number {
  const n = a.length / dim;
  if (b.length / dim !== n) throw new Error(`slicedWasserstein needs equal sample counts, got ${n} and ${b.length / dim}`);
  const rng = new Rng(seed);
  const pa = new Float64Array(n);
  const pb = new Float64Array(n);
  let total = 0;
  for (let p = 0; p < projections; p++) {
    const theta = Array.from(rng.normalArray(dim));
    const norm = Math.hypot(...theta) || 1;
    for (let i = 0; i < n; i++) {
      let sa = 0;
      let sb = 0;
      for (let d = 0; d < dim; d++) {
        sa += a[i * dim + d] * theta[d];
        sb += b[i * dim + d] * theta[d];
      }
      pa[i] = sa / norm;
      pb[i] = sb / norm;
    }
    pa.sort();
    pb.sort();
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(pa[i] - pb[i]);
    total += s / n;
  }
  return total / projections;
}
