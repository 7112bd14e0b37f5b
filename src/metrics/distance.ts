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

/**
 * The optimal one-to-one assignment between two equal-size point clouds under Euclidean cost, by
 * Jonker and Volgenant's algorithm (1987: column reduction, augmenting row reduction, then
 * shortest augmenting paths — exact, like the Hungarian method, and much faster on dense
 * problems): `assignment[i]` is the point of `b` that point i of `a` goes to.
 */
export function optimalAssignment(a: Float32Array | Float64Array, b: Float32Array | Float64Array, dim = 2): { cost: number; assignment: Int32Array } {
  const n = a.length / dim;
  if (!Number.isInteger(n) || b.length / dim !== n) throw new Error(`optimalAssignment needs equal sample counts, got ${a.length / dim} and ${b.length / dim}`);
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (a[i * dim + d] - b[j * dim + d]) ** 2;
      cost[i * n + j] = Math.sqrt(s);
    }
  }
  const assignment = lapjv(n, cost);
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + assignment[i]];
  return { cost: total, assignment };
}

/** Jonker–Volgenant on a dense n×n cost matrix (row-major): the column of each row. */
export function lapjv(n: number, cost: Float64Array): Int32Array {
  const x = new Int32Array(n).fill(-1); // column of each row
  const y = new Int32Array(n); // row of each column
  const v = new Float64Array(n).fill(Infinity); // column potentials
  if (n === 0) return x;
  if (n === 1) return Int32Array.of(0);
  // Column reduction and reduction transfer.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const c = cost[i * n + j];
      if (c < v[j]) {
        v[j] = c;
        y[j] = i;
      }
    }
  }
  const unique = new Uint8Array(n).fill(1);
  for (let j = n - 1; j >= 0; j--) {
    const i = y[j];
    if (x[i] < 0) x[i] = j;
    else {
      unique[i] = 0;
      y[j] = -1;
    }
  }
  const free = new Int32Array(n);
  let nFree = 0;
  for (let i = 0; i < n; i++) {
    if (x[i] < 0) free[nFree++] = i;
    else if (unique[i]) {
      const j = x[i];
      let min = Infinity;
      for (let j2 = 0; j2 < n; j2++) if (j2 !== j) min = Math.min(min, cost[i * n + j2] - v[j2]);
      v[j] -= min;
    }
  }
  // Augmenting row reduction, twice.
  for (let pass = 0; pass < 2 && nFree > 0; pass++) {
    let current = 0;
    let newFree = 0;
    let rr = 0;
    const count = nFree;
    while (current < count) {
      rr++;
      const i = free[current++];
      let j1 = 0;
      let v1 = cost[i * n] - v[0];
      let j2 = -1;
      let v2 = Infinity;
      for (let j = 1; j < n; j++) {
        const c = cost[i * n + j] - v[j];
        if (c < v2) {
          if (c >= v1) {
            v2 = c;
            j2 = j;
          } else {
            v2 = v1;
            v1 = c;
            j2 = j1;
            j1 = j;
          }
        }
      }
      let i0 = y[j1];
      const v1New = v[j1] - (v2 - v1);
      const lowers = v1New < v[j1];
      if (rr < current * n) {
        if (lowers) v[j1] = v1New;
        else if (i0 >= 0 && j2 >= 0) {
          j1 = j2;
          i0 = y[j2];
        }
        if (i0 >= 0) {
          if (lowers) free[--current] = i0;
          else free[newFree++] = i0;
        }
      } else if (i0 >= 0) free[newFree++] = i0;
      x[i] = j1;
      y[j1] = i;
    }
    nFree = newFree;
  }
  // Augmentation: a shortest path from each free row to a free column (Dijkstra on reduced costs).
  const cols = new Int32Array(n);
  const d = new Float64Array(n);
  const pred = new Int32Array(n);
  for (let f = 0; f < nFree; f++) {
    const start = free[f];
    for (let j = 0; j < n; j++) {
      cols[j] = j;
      pred[j] = start;
      d[j] = cost[start * n + j] - v[j];
    }
    let lo = 0;
    let hi = 0;
    let ready = 0;
    let end = -1;
    while (end === -1) {
      if (lo === hi) {
        // The columns at the minimal distance go to the front of the scan list.
        ready = lo;
        hi = lo + 1;
        let mind = d[cols[lo]];
        for (let k = hi; k < n; k++) {
          const j = cols[k];
          if (d[j] <= mind) {
            if (d[j] < mind) {
              hi = lo;
              mind = d[j];
            }
            cols[k] = cols[hi];
            cols[hi++] = j;
          }
        }
        for (let k = lo; k < hi; k++) if (y[cols[k]] < 0) end = cols[k];
      }
      if (end === -1) {
        // Scan: relax the distances through the rows of the columns at the minimal distance. On
        // reaching a free column, `lo` and `hi` stay where the scan began (the potentials below
        // are updated from the columns made ready before it).
        let [sLo, sHi] = [lo, hi];
        scan: while (sLo !== sHi) {
          const j = cols[sLo++];
          const i = y[j];
          const mind = d[j];
          const h = cost[i * n + j] - v[j] - mind;
          for (let k = sHi; k < n; k++) {
            const jj = cols[k];
            const reduced = cost[i * n + jj] - v[jj] - h;
            if (reduced < d[jj]) {
              d[jj] = reduced;
              pred[jj] = i;
              if (reduced === mind) {
                if (y[jj] < 0) {
                  end = jj;
                  break scan;
                }
                cols[k] = cols[sHi];
                cols[sHi++] = jj;
              }
            }
          }
        }
        if (end === -1) [lo, hi] = [sLo, sHi];
      }
    }
    const mind = d[cols[lo]];
    for (let k = 0; k < ready; k++) v[cols[k]] += d[cols[k]] - mind;
    // Flip the path.
    let i = -1;
    let j = end;
    while (i !== start) {
      i = pred[j];
      y[j] = i;
      const t = x[i];
      x[i] = j;
      j = t;
    }
  }
  return x;
}

/** The exact Wasserstein-1 distance between two equal-size samples (uniform weights): the optimal assignment's mean distance. */
export function exactWasserstein1(a: Float32Array | Float64Array, b: Float32Array | Float64Array, dim = 2): number {
  const n = a.length / dim;
  return n ? optimalAssignment(a, b, dim).cost / n : NaN;
}
