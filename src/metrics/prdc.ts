/**
 * Precision and recall of generative models on k-NN manifolds (Kynkäänniemi et al. 2019), and
 * density and coverage (Naeem et al. 2020), on feature vectors. With NND_k(v) the distance from v
 * to its k-th nearest neighbour within its own set and B(v, r) the closed ball:
 *   precision = share of generated samples inside ⋃_real B(x, NND_k(x))
 *   recall    = share of real samples inside ⋃_generated B(y, NND_k(y))
 *   density   = 1/(kM) Σ_generated Σ_real 1[y ∈ B(x, NND_k(x))]
 *   coverage  = share of real samples whose ball holds at least one generated sample
 * Default k = 3 (the papers use 3 and 5). All pairwise distances: O(n²d), as blocked products.
 */
import { centred, columnMeans, forEachDistanceBlock, kthNeighbourRadii } from './pairwise.js';

export interface Prdc {
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  k: number;
}

/**
 * On the engine in blocks (src/metrics/pairwise.ts): three passes over the pairs (real–real for
 * the real radii, fake–fake for the fake radii, real–fake for the four counts), no n × n matrix held.
 */
export function precisionRecall(real: ArrayLike<number>, realCount: number, fake: ArrayLike<number>, fakeCount: number, dim: number, k = 3): Prdc {
  if (realCount <= k || fakeCount <= k) throw new Error(`need more than k = ${k} samples per set, got ${realCount} and ${fakeCount}`);
  const mean = columnMeans(real, realCount, dim);
  const r = centred(real, realCount, dim, mean);
  const g = centred(fake, fakeCount, dim, mean);
  const realRadii = kthNeighbourRadii(r, realCount, dim, k);
  const fakeRadii = kthNeighbourRadii(g, fakeCount, dim, k);
  /** Per generated sample: the real balls that hold it. */
  const inside = new Float64Array(fakeCount);
  let recalled = 0;
  let covered = 0;
  forEachDistanceBlock(r, realCount, g, fakeCount, dim, (i0, rows, dist) => {
    for (let q = 0; q < rows; q++) {
      const radius = realRadii[i0 + q];
      const o = q * fakeCount;
      let inFake = false;
      let coveredHere = false;
      for (let j = 0; j < fakeCount; j++) {
        const dd = dist[o + j];
        if (dd <= fakeRadii[j]) inFake = true;
        if (dd <= radius) {
          coveredHere = true;
          inside[j]++;
        }
      }
      if (inFake) recalled++;
      if (coveredHere) covered++;
    }
  });
  let precise = 0;
  let densitySum = 0;
  for (let j = 0; j < fakeCount; j++) {
    if (inside[j] > 0) precise++;
    densitySum += inside[j];
  }
  return { precision: precise / fakeCount, recall: recalled / realCount, density: densitySum / (k * fakeCount), coverage: covered / realCount, k };
}
