/**
 * Precision and recall of generative models on k-NN manifolds (Kynkäänniemi et al. 2019), and
 * density and coverage (Naeem et al. 2020), on feature vectors. With NND_k(v) the distance from v
 * to its k-th nearest neighbour within its own set and B(v, r) the closed ball:
 *   precision = share of generated samples inside ⋃_real B(x, NND_k(x))
 *   recall    = share of real samples inside ⋃_generated B(y, NND_k(y))
 *   density   = 1/(kM) Σ_generated Σ_real 1[y ∈ B(x, NND_k(x))]
 *   coverage  = share of real samples whose ball holds at least one generated sample
 * Default k = 3 (the papers use 3 and 5). Exact pairwise distances: O(n²d).
 */

export interface Prdc {
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  k: number;
}

function squaredDistances(a: ArrayLike<number>, na: number, b: ArrayLike<number>, nb: number, d: number): Float64Array {
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = a[i * d + k] - b[j * d + k];
        s += t * t;
      }
      out[i * nb + j] = s;
    }
  }
  return out;
}

/** Squared distance from each point to its k-th nearest other point of the same set. */
function kthNeighbour(within: Float64Array, n: number, k: number): Float64Array {
  const radii = new Float64Array(n);
  const row = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < n; j++) if (j !== i) row[c++] = within[i * n + j];
    row.sort();
    radii[i] = row[k - 1];
  }
  return radii;
}

export function precisionRecall(real: ArrayLike<number>, realCount: number, fake: ArrayLike<number>, fakeCount: number, dim: number, k = 3): Prdc {
  if (realCount <= k || fakeCount <= k) throw new Error(`need more than k = ${k} samples per set, got ${realCount} and ${fakeCount}`);
  const realRadii = kthNeighbour(squaredDistances(real, realCount, real, realCount, dim), realCount, k);
  const fakeRadii = kthNeighbour(squaredDistances(fake, fakeCount, fake, fakeCount, dim), fakeCount, k);
  const cross = squaredDistances(real, realCount, fake, fakeCount, dim); // [real i][fake j]
  let precise = 0;
  let densitySum = 0;
  for (let j = 0; j < fakeCount; j++) {
    let inside = 0;
    for (let i = 0; i < realCount; i++) if (cross[i * fakeCount + j] <= realRadii[i]) inside++;
    if (inside > 0) precise++;
    densitySum += inside;
  }
  let recalled = 0;
  let covered = 0;
  for (let i = 0; i < realCount; i++) {
    let inFake = false;
    let coveredHere = false;
    for (let j = 0; j < fakeCount; j++) {
      const dd = cross[i * fakeCount + j];
      if (dd <= fakeRadii[j]) inFake = true;
      if (dd <= realRadii[i]) coveredHere = true;
      if (inFake && coveredHere) break;
    }
    if (inFake) recalled++;
    if (coveredHere) covered++;
  }
  return { precision: precise / fakeCount, recall: recalled / realCount, density: densitySum / (k * fakeCount), coverage: covered / realCount, k };
}
