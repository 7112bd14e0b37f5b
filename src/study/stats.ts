/** Small statistics for studies: mean ± sd, ranks and Spearman's ρ, medians. */
import { Rng } from '../engine/rng.js';

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Ranks 1..n with ties given their average rank. */
export function ranks(xs: number[]): number[] {
  const order = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k][1]] = r;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation (Pearson on ranks); NaN with fewer than 3 pairs or a constant series. */
export function spearman(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`spearman: ${a.length} vs ${b.length} values`);
  if (a.length < 3) return NaN;
  const ra = ranks(a);
  const rb = ranks(b);
  const ma = mean(ra);
  const mb = mean(rb);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return da === 0 || db === 0 ? NaN : num / Math.sqrt(da * db);
}

export const fmt = (m: number, s?: number, digits = 2) =>
  Number.isFinite(m) ? `${m.toFixed(digits)}${s !== undefined && Number.isFinite(s) ? ` ± ${s.toFixed(digits)}` : ''}` : 'n/a';

/** The q-quantile (0..1) by linear interpolation between order statistics; ±Infinity allowed. */
export function quantile(xs: number[], q: number): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi || s[lo] === s[hi]) return s[lo];
  // Between an infinity and anything else there is nothing to interpolate: the nearer one.
  if (!Number.isFinite(s[lo]) || !Number.isFinite(s[hi])) return pos - lo < 0.5 ? s[lo] : s[hi];
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

/** a − b where a run that never got there counts as +∞: equal infinities differ by 0. */
export function difference(a: number, b: number): number {
  return a === b ? 0 : a - b;
}

/** A statistic with its bootstrap 95 % interval; `n` is the size of each group resampled. */
export interface Interval {
  value: number;
  lo: number;
  hi: number;
  n: number[];
}

export const BOOTSTRAP_RESAMPLES = 2000;

/**
 * Percentile bootstrap (95 %): `stat` on `groups`, and on B resamples of them. Independent groups
 * (seeds of two losses) are resampled each on its own; `paired` groups (the same random
 * configurations under two losses) share the resampled indices. Resamples whose statistic is NaN
 * are left out. Deterministic: the resampling stream is seeded.
 */
export function bootstrap(groups: number[][], stat: (gs: number[][]) => number, options: { paired?: boolean; resamples?: number; seed?: number } = {}): Interval {
  const value = stat(groups);
  const n = groups.map((g) => g.length);
  if (n.some((k) => k === 0)) return { value: NaN, lo: NaN, hi: NaN, n };
  if (options.paired && n.some((k) => k !== n[0])) throw new Error(`bootstrap: paired groups of sizes ${n.join(', ')}`);
  const rng = new Rng(options.seed ?? 1009);
  const draws: number[] = [];
  for (let b = 0; b < (options.resamples ?? BOOTSTRAP_RESAMPLES); b++) {
    let shared: number[] | null = null;
    const resampled = groups.map((g) => {
      const idx = options.paired ? (shared ??= g.map(() => rng.int(g.length))) : g.map(() => rng.int(g.length));
      return idx.map((i) => g[i]);
    });
    const v = stat(resampled);
    if (!Number.isNaN(v)) draws.push(v);
  }
  return { value, lo: quantile(draws, 0.025), hi: quantile(draws, 0.975), n };
}

/** One claimed comparison, decided by its interval: the claim is that the value is above (or below) `threshold`. */
export type Outcome = 'holds' | 'does not hold' | 'inconclusive';

/**
 * "holds" only when the interval excludes the baseline (lo above the threshold); "does not hold"
 * only when it excludes the claim (hi at or below it); otherwise inconclusive. A group of one run
 * has no interval: inconclusive.
 */
export function decide(iv: Interval, threshold = 0, claim: 'above' | 'below' = 'above'): Outcome {
  if (iv.n.some((k) => k < 2) || Number.isNaN(iv.lo) || Number.isNaN(iv.hi)) return 'inconclusive';
  if (claim === 'below') return iv.hi < threshold ? 'holds' : iv.lo >= threshold ? 'does not hold' : 'inconclusive';
  if (iv.lo > threshold) return 'holds';
  if (iv.hi <= threshold) return 'does not hold';
  return 'inconclusive';
}

export const fmtInterval = (iv: Interval, digits = 2): string => {
  const f = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '−∞' : Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
  return iv.n.some((k) => k < 2) ? `${f(iv.value)} (one run: no interval)` : `${f(iv.value)} [${f(iv.lo)}, ${f(iv.hi)}]`;
};
