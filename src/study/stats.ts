/**
 * Statistics for small studies (3–10 seeds an arm), and the decision rule of the Wasserstein study.
 *
 * Tests, each for the kind of number it compares (two-sided, α = 0.05):
 *  - `welch`: a difference of means (per-seed values), Welch's t test and its 95 % interval;
 *  - `proportions`: a difference of event rates (runs that failed, collapsed), Fisher's exact test
 *    and Newcombe's hybrid score interval of the difference (each rate alone keeps its
 *    Clopper–Pearson interval in the report);
 *  - `shift`: a shift between two groups that may hold +∞ (a run that never reached a target), the
 *    exact Wilcoxon–Mann–Whitney rank-sum test (ties by midranks) and the Hodges–Lehmann shift
 *    with its distribution-free interval;
 *  - `pairedShift`: paired values (the same random configuration under two losses), the exact
 *    Wilcoxon signed-rank test and the Hodges–Lehmann median of Walsh averages with its interval.
 * `holm` adjusts a family's p-values (Holm 1979); `judge` turns an effect into a verdict, and
 * `judgeFamily` does it for one method's comparisons within one claim (the family).
 */

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
  return quantile(xs, 0.5);
}

/** Ranks 1..n with ties given their average rank (±∞ allowed: they rank last or first). */
export function ranks(xs: number[]): number[] {
  const order = xs.map((v, i) => [v, i] as const).sort((a, b) => (a[0] === b[0] ? 0 : a[0] < b[0] ? -1 : 1));
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

/** Pearson's correlation; NaN with fewer than 3 pairs or a constant series. */
export function pearson(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`pearson: ${a.length} vs ${b.length} values`);
  if (a.length < 3) return NaN;
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return da === 0 || db === 0 ? NaN : num / Math.sqrt(da * db);
}

/** Spearman's rank correlation (Pearson on ranks); NaN with fewer than 3 pairs or a constant series. */
export function spearman(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`spearman: ${a.length} vs ${b.length} values`);
  return a.length < 3 ? NaN : pearson(ranks(a), ranks(b));
}

/**
 * Spearman's ρ between the first differences of two series (x_{t+1} − x_t): two series that both
 * trend with training time correlate whatever they measure; their step-to-step changes do only
 * when one tracks the other.
 */
export function detrendedCorrelation(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`detrendedCorrelation: ${a.length} vs ${b.length} values`);
  const diff = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]);
  const [da, db] = [diff(a), diff(b)];
  const keep = da.map((x, i) => Number.isFinite(x) && Number.isFinite(db[i]));
  return spearman(da.filter((_, i) => keep[i]), db.filter((_, i) => keep[i]));
}

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

// ---------------------------------------------------------------------------------------------
// Distributions

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~1e-15 relative). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's). */
export function tCdf(t: number, df: number): number {
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Student's t density. */
function tPdf(t: number, df: number): number {
  return Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log(1 + (t * t) / df));
}

/** The p-quantile of Student's t (Newton's method on the cdf, bisection where it strays). */
export function tQuantile(p: number, df: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let [lo, hi] = [0, 1];
  while (tCdf(hi, df) < p) hi *= 2;
  let t = Math.min(hi, 2);
  for (let i = 0; i < 100; i++) {
    const f = tCdf(t, df) - p;
    if (Math.abs(f) < 1e-13) break;
    if (f < 0) lo = t;
    else hi = t;
    const next = t - f / tPdf(t, df);
    t = next > lo && next < hi ? next : (lo + hi) / 2;
  }
  return t;
}

/** The p-quantile of Beta(a, b) (bisection on the cdf). */
export function betaQuantile(p: number, a: number, b: number): number {
  let [lo, hi] = [0, 1];
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (incompleteBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The exact (Clopper–Pearson) interval of a binomial proportion x/n at confidence `level`. */
export function clopperPearson(x: number, n: number, level = 0.95): { lo: number; hi: number } {
  if (n === 0) return { lo: 0, hi: 1 };
  const a = (1 - level) / 2;
  return { lo: x === 0 ? 0 : betaQuantile(a, x, n - x + 1), hi: x === n ? 1 : betaQuantile(1 - a, x + 1, n - x) };
}

const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * Fisher's exact test of a 2×2 table (xa events of na, xb of nb), two-sided: the probability,
 * given the margins, of a table no more likely than the one seen.
 */
export function fisherExact(xa: number, na: number, xb: number, nb: number): number {
  const total = xa + xb;
  const n = na + nb;
  const lo = Math.max(0, total - nb);
  const hi = Math.min(total, na);
  const logP = (x: number) => logChoose(na, x) + logChoose(nb, total - x) - logChoose(n, total);
  const seen = logP(xa);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const lp = logP(x);
    if (lp <= seen + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/**
 * The exact null distribution of the sum of `k` of the given (integer) scores drawn without
 * replacement, as counts per sum (scores are doubled midranks, so they are integers).
 */
function subsetSumCounts(scores: number[], k: number): Float64Array {
  const max = scores.reduce((s, x) => s + x, 0);
  const width = max + 1;
  const table = new Float64Array((k + 1) * width);
  table[0] = 1;
  for (const s of scores) {
    for (let j = k; j >= 1; j--) {
      const row = j * width;
      const prev = (j - 1) * width;
      for (let sum = max; sum >= s; sum--) table[row + sum] += table[prev + sum - s];
    }
  }
  return table.slice(k * width, (k + 1) * width);
}

/** The exact null distribution of the sum of a random subset of the scores (signed-rank W⁺), as counts per sum. */
function signedSumCounts(scores: number[]): Float64Array {
  const max = scores.reduce((s, x) => s + x, 0);
  const table = new Float64Array(max + 1);
  table[0] = 1;
  for (const s of scores) for (let sum = max; sum >= s; sum--) table[sum] += table[sum - s];
  return table;
}

/** No-ties null distributions (ranks 1..n), cached by their sizes. */
const noTiesCache = new Map<string, Float64Array>();
function noTies(key: string, make: () => Float64Array): Float64Array {
  let d = noTiesCache.get(key);
  if (!d) noTiesCache.set(key, (d = make()));
  return d;
}

/** Two-sided p from a distribution (counts per value): P(|V − centre| ≥ |v − centre|). */
function twoSided(counts: Float64Array, v: number, centre: number): number {
  let all = 0;
  let extreme = 0;
  const dist = Math.abs(v - centre) - 1e-9;
  for (let value = 0; value < counts.length; value++) {
    const c = counts[value];
    if (!c) continue;
    all += c;
    if (Math.abs(value - centre) >= dist) extreme += c;
  }
  return Math.min(1, extreme / all);
}

/**
 * The order-statistic index k (1-based) of a distribution-free interval: the largest u with
 * P(U ≤ u) ≤ α/2 under the no-ties null, plus 1; 0 when even U = 0 is too likely (no interval).
 */
function criticalIndex(counts: Float64Array, offset: number, alpha: number): number {
  const all = counts.reduce((s, c) => s + c, 0);
  let cum = 0;
  let k = 0;
  for (let v = offset; v < counts.length; v++) {
    cum += counts[v];
    if (cum / all <= alpha / 2) k = v - offset + 1;
    else break;
  }
  return k;
}

/** a − b, where equal infinities differ by 0. */
const minus = (a: number, b: number) => (a === b ? 0 : a - b);
/** (a + b) / 2, where +∞ and −∞ average to 0. */
const average = (a: number, b: number) => (a === -b && !Number.isFinite(a) ? 0 : (a + b) / 2);

// ---------------------------------------------------------------------------------------------
// Effects: a comparison of an arm with the baseline

/** One comparison: the effect (arm − baseline), its 95 % interval, the test's two-sided p. */
export interface Effect {
  estimate: number;
  lo: number;
  hi: number;
  p: number;
  /** The test, in words (e.g. "Welch t, df 3.8"). */
  test: string;
  /** Sizes of the groups compared. */
  n: number[];
}

export const ALPHA = 0.05;
const missing = (test: string, n: number[]): Effect => ({ estimate: NaN, lo: NaN, hi: NaN, p: NaN, test, n });

/** Welch's t test and 95 % interval of mean(a) − mean(b); NaN with fewer than two values a side. */
export function welch(a: number[], b: number[]): Effect {
  const n = [a.length, b.length];
  if (a.length < 2 || b.length < 2 || [...a, ...b].some((x) => !Number.isFinite(x))) return missing('Welch t', n);
  const [ma, mb] = [mean(a), mean(b)];
  const [va, vb] = [sd(a) ** 2 / a.length, sd(b) ** 2 / b.length];
  const diff = ma - mb;
  const se2 = va + vb;
  if (se2 === 0) return { estimate: diff, lo: diff, hi: diff, p: diff === 0 ? 1 : 0, test: 'Welch t (no spread)', n };
  const df = se2 ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const t = diff / Math.sqrt(se2);
  const q = tQuantile(1 - ALPHA / 2, df);
  return { estimate: diff, lo: diff - q * Math.sqrt(se2), hi: diff + q * Math.sqrt(se2), p: 2 * (1 - tCdf(Math.abs(t), df)), test: `Welch t, df ${df.toFixed(1)}`, n };
}

/** The mean with its 95 % t interval (one group). */
export function meanInterval(xs: number[]): { estimate: number; lo: number; hi: number } {
  const m = mean(xs);
  if (xs.length < 2 || xs.some((x) => !Number.isFinite(x))) return { estimate: m, lo: NaN, hi: NaN };
  const h = tQuantile(1 - ALPHA / 2, xs.length - 1) * (sd(xs) / Math.sqrt(xs.length));
  return { estimate: m, lo: m - h, hi: m + h };
}

/** The standard normal's 97.5 % point: the two-sided 95 % level of ALPHA = 0.05. */
const Z95 = 1.959963984540054;

/** Wilson's score interval of a rate (x events of n) at 95 %. */
export function wilson(x: number, n: number): { lo: number; hi: number } {
  const z = Z95;
  const p = x / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/**
 * Rate a − rate b (xa events of na runs against xb of nb): Fisher's exact p and Newcombe's hybrid
 * score interval (Newcombe 1998, method 10: the two Wilson intervals combined). Its coverage is
 * about 95 % on average (exact enumeration at 5 and 10 runs a side: mean 95.5 % and 95.2 %,
 * lowest 90 % and 91 % over rates 0.05…0.95), and at these sizes it leaves out 0 whenever
 * Fisher's test rejects, so a verdict and its interval never disagree. (Two 97.5 %
 * Clopper–Pearson intervals, used before, gave 6/10 − 0/10 the interval [−0.13, 0.90] beside
 * Fisher's p 0.011.)
 */
export function proportions(xa: number, na: number, xb: number, nb: number): Effect {
  const n = [na, nb];
  if (na === 0 || nb === 0) return missing("Fisher's exact", n);
  const [pa, pb] = [xa / na, xb / nb];
  const [ia, ib] = [wilson(xa, na), wilson(xb, nb)];
  const d = pa - pb;
  return {
    estimate: d,
    lo: d - Math.hypot(pa - ia.lo, ib.hi - pb),
    hi: d + Math.hypot(ia.hi - pa, pb - ib.lo),
    p: fisherExact(xa, na, xb, nb),
    test: "Fisher's exact, Newcombe interval",
    n,
  };
}

/**
 * The Hodges–Lehmann shift a − b (the median of all pairwise differences) with its
 * distribution-free 95 % interval, and the exact rank-sum test's p (ties by midranks). Values may
 * be ±∞ (ranked last or first); the interval is infinite where the groups are too small for one.
 */
export function shift(a: number[], b: number[]): Effect {
  const n = [a.length, b.length];
  if (!a.length || !b.length || [...a, ...b].some(Number.isNaN)) return missing('rank-sum', n);
  const doubled = ranks([...a, ...b]).map((r) => Math.round(2 * r));
  const w = doubled.slice(0, a.length).reduce((s, r) => s + r, 0);
  const p = twoSided(subsetSumCounts(doubled, a.length), w, a.length * (a.length + b.length + 1));
  const diffs = a.flatMap((x) => b.map((y) => minus(x, y))).sort((u, v) => u - v);
  const sums = noTies(`${a.length}/${b.length}`, () => subsetSumCounts(Array.from({ length: a.length + b.length }, (_, i) => i + 1), a.length));
  // Rank sums minus their minimum are Mann–Whitney U's.
  const k = criticalIndex(sums, (a.length * (a.length + 1)) / 2, ALPHA);
  const m = diffs.length;
  return { estimate: median(diffs), lo: k > 0 ? diffs[k - 1] : -Infinity, hi: k > 0 ? diffs[m - k] : Infinity, p, test: 'exact rank-sum, Hodges–Lehmann', n };
}

/**
 * Paired values (a[i] and b[i] from the same configuration): the Hodges–Lehmann estimate of the
 * paired difference (median of Walsh averages) with its 95 % interval and the exact signed-rank
 * test's p. Pairs that do not differ (both failed: ∞ and ∞) are left out of the test, as Wilcoxon's.
 */
export function pairedShift(a: number[], b: number[]): Effect {
  if (a.length !== b.length) throw new Error(`pairedShift: ${a.length} vs ${b.length} values`);
  const d = a.map((x, i) => minus(x, b[i])).filter((x) => !Number.isNaN(x));
  const nz = d.filter((x) => x !== 0);
  const n = [a.length, b.length];
  if (nz.length === 0) return { estimate: 0, lo: 0, hi: 0, p: 1, test: 'exact signed-rank, Hodges–Lehmann', n };
  const doubled = ranks(nz.map(Math.abs)).map((r) => Math.round(2 * r));
  const wPlus = doubled.reduce((s, r, i) => s + (nz[i] > 0 ? r : 0), 0);
  const total = doubled.reduce((s, r) => s + r, 0);
  const p = twoSided(signedSumCounts(doubled), wPlus, total / 2);
  const walsh: number[] = [];
  for (let i = 0; i < d.length; i++) for (let j = i; j < d.length; j++) walsh.push(average(d[i], d[j]));
  walsh.sort((u, v) => u - v);
  const k = criticalIndex(noTies(`${d.length}`, () => signedSumCounts(Array.from({ length: d.length }, (_, i) => i + 1))), 0, ALPHA);
  return { estimate: median(walsh), lo: k > 0 ? walsh[k - 1] : -Infinity, hi: k > 0 ? walsh[walsh.length - k] : Infinity, p, test: 'exact signed-rank, Hodges–Lehmann', n };
}

/** Holm's step-down adjustment of a family's p-values (NaN entries are left out of the family). */
export function holm(ps: number[]): number[] {
  const idx = ps.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p)).sort((x, y) => x[0] - y[0]);
  const out = ps.map(() => NaN);
  let running = 0;
  idx.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (idx.length - rank) * p));
    out[i] = running;
  });
  return out;
}

/** The effect with its sign turned (for a measure where lower is better). */
export function negate(e: Effect): Effect {
  return { ...e, estimate: -e.estimate, lo: -e.hi, hi: -e.lo };
}

// ---------------------------------------------------------------------------------------------
// The decision rule

/**
 * supported: the claim's direction, significant after Holm; contradicted: the other direction,
 * significant; no difference: the effect's 95 % interval lies inside ±margin; inconclusive:
 * none of these (too few runs for the effect's size); not tested: nothing could fail (floor or
 * ceiling, an arm that never learnt the data, no runs).
 */
export type Verdict = 'supported' | 'contradicted' | 'no difference' | 'inconclusive' | 'not tested';
export const VERDICTS: Verdict[] = ['supported', 'contradicted', 'no difference', 'inconclusive', 'not tested'];

/**
 * The verdict of one effect, oriented so that positive is the claim's direction (the method better
 * than the baseline), given its Holm-adjusted p. An interval inside ±margin is "no difference"
 * even when significant (a difference smaller than the margin is not one the study calls real).
 */
export function judge(e: Effect, margin: number, pAdjusted: number, alpha = ALPHA): Verdict {
  if (Number.isNaN(e.estimate) || Number.isNaN(e.lo) || Number.isNaN(e.hi) || Number.isNaN(pAdjusted)) return 'inconclusive';
  if (e.lo >= -margin && e.hi <= margin) return 'no difference';
  if (pAdjusted < alpha) return e.estimate > 0 ? 'supported' : e.estimate < 0 ? 'contradicted' : 'inconclusive';
  return 'inconclusive';
}

/** One pre-registered comparison of a family: its effect (claim direction positive) and margin, or why it is not tested. */
export interface FamilyMember {
  effect?: Effect;
  margin: number;
  notTested?: string;
}

/**
 * A family's verdicts (Holm over the members that were tested) and the claim's verdict for the
 * method: supported when some comparison is and none contradicts it; contradicted likewise;
 * inconclusive when they conflict or any is undecided; no difference when all tested ones are;
 * not tested when none was.
 */
export function judgeFamily(members: FamilyMember[], alpha = ALPHA): { verdicts: Verdict[]; pAdjusted: number[]; verdict: Verdict } {
  const ps = members.map((m) => (m.notTested || !m.effect ? NaN : m.effect.p));
  const pAdjusted = holm(ps);
  const verdicts = members.map((m, i): Verdict => (m.notTested || !m.effect ? 'not tested' : judge(m.effect, m.margin, pAdjusted[i], alpha)));
  return { verdicts, pAdjusted, verdict: combineVerdicts(verdicts) };
}

export function combineVerdicts(vs: Verdict[]): Verdict {
  const tested: Verdict[] = vs.filter((v) => v !== 'not tested');
  if (!tested.length) return 'not tested';
  const has = (v: Verdict) => tested.includes(v);
  if (has('supported') && has('contradicted')) return 'inconclusive';
  if (has('supported')) return 'supported';
  if (has('contradicted')) return 'contradicted';
  if (tested.every((v) => v === 'no difference')) return 'no difference';
  return 'inconclusive';
}

/** A number for a table: ∞ and −∞ as symbols, NaN as n/a. */
export const num = (x: number, digits = 2): string => (x === Infinity ? '∞' : x === -Infinity ? '−∞' : Number.isFinite(x) ? x.toFixed(digits).replace(/^-/, '−') : 'n/a');

export const fmt = (m: number, s?: number, digits = 2) => (Number.isFinite(m) ? `${num(m, digits)}${s !== undefined && Number.isFinite(s) ? ` ± ${num(s, digits)}` : ''}` : 'n/a');
