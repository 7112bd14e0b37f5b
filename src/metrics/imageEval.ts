/**
 * Image-quality metrics on the feature network's features (see featnet.ts): FID, unbiased KID,
 * precision/recall/density/coverage, the classifier score (Inception-score analogue,
 * exp E_x KL(p(y|x) ‖ p(y))), conditional accuracy (share of samples the classifier assigns to
 * the class asked for), and for InfoGAN the best-match accuracy between the categorical code and
 * the classifier's class (the best one-to-one assignment of code values to classes).
 */
import { fid, fidInfinity, gaussianStats } from './fid.js';
import type { GaussianStats } from './fid.js';
import { kid } from './kid.js';
import { precisionRecall } from './prdc.js';
import { FeatureNet, FEATURE_DIM, toSigned, argmaxRows } from './featnet.js';

export { argmaxRows };
import type { ImageDataset } from '../data/images.js';
import { subset } from '../data/imageData.js';
import { Rng } from '../engine/rng.js';

export interface ImageScores {
  fid: number;
  /** FID∞ (Chong & Forsyth 2020): FID's intercept against 1/N; only at N ≥ FID_INFINITY_MIN_N. */
  fidInfinity?: number;
  kid: number;
  kidStd: number;
  /** KID's standard error over its subsets (kidStd / √subsets). */
  kidSe?: number;
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  classifierScore: number;
  /** Conditional models: share of samples classified as the class asked for. */
  conditionalAccuracy?: number;
  /** InfoGAN: best-match accuracy of the first categorical code against the classifier's class. */
  codeAccuracy?: number;
}

/** exp(E_x KL(p(y|x) ‖ p(y))): 1 for one class or uniform predictions, up to K for confident, balanced ones. */
export function classifierScore(probs: Float32Array, k: number): number {
  const n = probs.length / k;
  const marginal = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) marginal[j] += probs[i * k + j] / n;
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j];
      if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[j]));
    }
  }
  return Math.exp(kl / n);
}

/**
 * Best one-to-one assignment between code values (rows) and classes (columns) maximising the
 * matched count (exact, by dynamic programming over subsets of classes; K ≤ 16). Returns the
 * share of samples whose code value maps to their predicted class.
 */
export function bestMatchAccuracy(codes: ArrayLike<number>, classes: ArrayLike<number>, k: number, m: number): number {
  if (m > 16) throw new Error(`bestMatchAccuracy: at most 16 classes, got ${m}`);
  const counts = Array.from({ length: k }, () => new Float64Array(m));
  for (let i = 0; i < codes.length; i++) counts[codes[i]][classes[i]]++;
  // best[mask] after assigning the first popcount(mask) codes... codes may exceed classes: allow "no class".
  let best = new Map<number, number>([[0, 0]]);
  for (let c = 0; c < k; c++) {
    const next = new Map<number, number>();
    for (const [mask, value] of best) {
      if ((next.get(mask) ?? -1) < value) next.set(mask, value); // code c left unmatched
      for (let j = 0; j < m; j++) {
        if (mask & (1 << j)) continue;
        const key = mask | (1 << j);
        const v = value + counts[c][j];
        if ((next.get(key) ?? -1) < v) next.set(key, v);
      }
    }
    best = next;
  }
  return Math.max(...best.values()) / codes.length;
}

/**
 * KID's estimate: the mean of unbiased MMD² estimates on random subsets. For final scores (N ≥
 * 5,000 generated or real-baseline images) Bińkowski et al.'s 100 subsets of 1,000; below (scores
 * during training, N = 1,000) 10 of 500. The plan follows the scored set's count, not the
 * reference's: `kid` caps the subset size at the smaller set, and a reference smaller than
 * 100 × 1,000 (every one here; MNIST's held-out split has 2,000) is drawn from afresh for each
 * subset, as Bińkowski et al. do, so the standard error is the spread over subset draws.
 */
export const KID_SUBSETS = 10;
export const KID_SUBSET_SIZE = 500;
export const KID_FINAL_MIN_N = 5000;
export function kidPlan(n: number): { subsets: number; subsetSize: number } {
  return n >= KID_FINAL_MIN_N ? { subsets: 100, subsetSize: 1000 } : { subsets: KID_SUBSETS, subsetSize: Math.min(KID_SUBSET_SIZE, n) };
}

/** FID∞ is fitted at N ≥ this: on subsets of n/5, 2n/10, …, n (nine sizes; 2k … 10k at N = 10,000). */
export const FID_INFINITY_MIN_N = 5000;
export function fidInfinitySizes(n: number): number[] {
  return Array.from({ length: 9 }, (_, i) => Math.round((n * (i + 2)) / 10));
}

/** Precision/recall/density/coverage's k (Naeem et al. 2020 use 5). */
export const PRDC_K = 5;

export class ImageEvaluator {
  private constructor(
    readonly net: FeatureNet,
    readonly realFeatures: Float32Array,
    readonly realCount: number,
    readonly realStats: GaussianStats,
    readonly baseline: ImageScores,
    readonly baselineNote: string,
  ) {}

  /**
   * Reference features from `reference` (the test split, or a folder's other half), n images;
   * the baseline scores n images of `train` against them.
   */
  static create(net: FeatureNet, reference: ImageDataset, train: ImageDataset, n: number, note: string): ImageEvaluator {
    const pick = (data: ImageDataset, seed: number) => {
      const count = Math.min(n, data.count);
      const order = new Rng(seed).permutation(data.count).subarray(0, count);
      return subset(data, order);
    };
    const ref = pick(reference, 11);
    const { features } = net.embed(toSigned(ref.pixels), ref.count);
    const stats = gaussianStats(features, ref.count, FEATURE_DIM);
    const evaluator = new ImageEvaluator(net, features, ref.count, stats, {} as ImageScores, note);
    const base = pick(train, 12);
    const scores = evaluator.score(toSigned(base.pixels), base.count, base.labels ? { requested: Int32Array.from(base.labels) } : {});
    return new ImageEvaluator(net, features, ref.count, stats, scores, note);
  }

  /** Scores n generated images (values in [−1, 1]). */
  score(images: Float32Array, n: number, extra: { requested?: Int32Array; codes?: { values: Int32Array; k: number } } = {}): ImageScores {
    const { features, probs } = this.net.embed(images, n);
    const k = this.net.classes;
    const d = FEATURE_DIM;
    const plan = kidPlan(n);
    const kd = kid(this.realFeatures, this.realCount, features, n, d, plan);
    const pr = precisionRecall(this.realFeatures, this.realCount, features, n, d, PRDC_K);
    const scores: ImageScores = {
      fid: fid(this.realFeatures, this.realCount, features, n, d),
      ...(n >= FID_INFINITY_MIN_N ? { fidInfinity: fidInfinity(this.realStats, features, n, d, fidInfinitySizes(n)).fidInfinity } : {}),
      kid: kd.mean,
      kidStd: kd.std,
      ...(plan.subsets > KID_SUBSETS ? { kidSe: kd.se } : {}),
      precision: pr.precision,
      recall: pr.recall,
      density: pr.density,
      coverage: pr.coverage,
      classifierScore: classifierScore(probs, k),
    };
    const predicted = argmaxRows(probs, k);
    if (extra.requested) {
      let right = 0;
      for (let i = 0; i < n; i++) if (predicted[i] === extra.requested[i]) right++;
      scores.conditionalAccuracy = right / n;
    }
    if (extra.codes) scores.codeAccuracy = bestMatchAccuracy(extra.codes.values, predicted, extra.codes.k, k);
    return scores;
  }
}
