/**
 * The claims made for the Wasserstein loss and how a verdict follows from the measured numbers
 * (a pure function, tested on its own); the study (wasserstein.ts) measures, the report
 * (report.ts) shows.
 *
 * The rule, fixed before the runs:
 *  - The baseline is **ns** (the standard GAN with the non-saturating G loss), fixed in advance.
 *    Minimax, the spectral-normalised arms and the other losses are rows of their own.
 *  - Each method gets its own verdict per claim — WGAN-GP and WGAN (weight clipping) separately.
 *  - Each claim names, in advance, the comparisons that decide it (its **family**: one measure on
 *    one data set each); each comparison is the method minus ns, with a test suited to a few
 *    seeds (stats.ts: Welch for means, Fisher's exact for rates, exact rank tests for times and
 *    paired configurations), and its p-values are Holm-adjusted within the family.
 *  - A comparison is *supported* or *contradicted* when significant (α 0.05 after Holm) in the
 *    claim's direction or against it; *no difference* when its 95 % interval lies inside the
 *    measure's equivalence margin (MEASURES); *inconclusive* otherwise; *not tested* when nothing
 *    could fail (both arms at a floor or ceiling, an arm that never learnt the data, trials not
 *    run yet). The family's verdict: supported if some comparison is and none contradicts it,
 *    contradicted likewise, no difference if all tested ones are, not tested if none was,
 *    inconclusive otherwise (conflicting comparisons included).
 * test/study.test.ts simulates identical arms at 3, 5 and 10 seeds through `judgeFamily` and fails
 * if a false verdict (supported or contradicted) comes up more than 5 % of the time.
 */
import { CRITIC_COLUMNS } from '../losses/registry.js';
import type { MetricColumns } from '../runfolder/metrics.js';
import type { GradientCurve } from './gradients.js';
import { judgeFamily, median, negate, num, pairedShift, proportions, quantile, shift, welch } from './stats.js';
import type { Effect, Verdict } from './stats.js';

/** One row of the study: a loss under a setting (its λ, spectral norm). */
export interface StudyArm {
  name: string;
  loss: string;
  /** Config overrides beyond the loss (e.g. { model: { sn: true } }, { hyper: { lambda: 10 } }). */
  overrides: Record<string, unknown>;
  role: 'critic' | 'standard' | 'sn' | 'other';
  label: string;
  /** A λ-sweep row: in the modes experiment only (not the robustness one). */
  sweep?: boolean;
}

export const STUDY_ARMS: StudyArm[] = [
  { name: 'ns', loss: 'ns', overrides: {}, role: 'standard', label: 'standard GAN, non-saturating G loss (the baseline)' },
  { name: 'minimax', loss: 'minimax', overrides: {}, role: 'standard', label: 'standard GAN, minimax G loss' },
  { name: 'wgan', loss: 'wgan', overrides: {}, role: 'critic', label: 'WGAN, weight clipping' },
  { name: 'wgan-gp', loss: 'wgan-gp', overrides: {}, role: 'critic', label: 'WGAN-GP (λ 0.1 at 2-D scale)' },
  { name: 'lsgan', loss: 'lsgan', overrides: {}, role: 'other', label: 'least squares' },
  { name: 'dragan', loss: 'dragan', overrides: {}, role: 'other', label: 'DRAGAN (λ 0.1 at 2-D scale)' },
  { name: 'hinge', loss: 'hinge', overrides: {}, role: 'other', label: 'hinge' },
  { name: 'ns-sn', loss: 'ns', overrides: { model: { sn: true } }, role: 'sn', label: 'standard GAN + spectral norm on D' },
  { name: 'hinge-sn', loss: 'hinge', overrides: { model: { sn: true } }, role: 'sn', label: 'hinge + spectral norm on D' },
  { name: 'dragan-l1', loss: 'dragan', overrides: { hyper: { lambda: 1 } }, role: 'other', label: 'DRAGAN λ 1', sweep: true },
  { name: 'dragan-l10', loss: 'dragan', overrides: { hyper: { lambda: 10 } }, role: 'other', label: 'DRAGAN λ 10 (paper scale)', sweep: true },
];
export const armByName = (name: string): StudyArm => {
  const a = STUDY_ARMS.find((x) => x.name === name);
  if (!a) throw new Error(`no study arm '${name}' (${STUDY_ARMS.map((x) => x.name).join(', ')})`);
  return a;
};

/** The baseline, fixed in advance, and the two methods the claims are about. */
export const BASELINE = 'ns';
export const METHODS = ['wgan-gp', 'wgan'] as const;
export const METHOD_LABEL: Record<string, string> = { 'wgan-gp': 'WGAN-GP', wgan: 'WGAN (clip)' };

/** A 2-D arm "learnt" the data when its median run ends with at least this share of high-quality samples. */
export const LEARNT_HQ = 0.5;
/** A stress run failed when it diverged, ended below this HQ share, or covered at most half the modes (gated). */
export const FAILED_HQ = 0.1;
/** Image FID thresholds for the efficiency claim (FID at N = 1,000 during training); the first decides. */
export const FID_THRESHOLDS = [30, 40];

/**
 * The measures and their equivalence margins (effects inside ±margin are "no difference"), in
 * native units, with why each margin is that size. `log` measures compare log₁₀ values: their
 * effect is a ratio (margin 0.05 ≈ ±12 %, 0.1 ≈ ±26 %).
 */
export const MEASURES = {
  fid: { label: 'FID (N = 10,000)', margin: 2, digits: 1, lowerIsBetter: true, why: "below 2 FID on gankit's feature network: the seed-to-seed sd of ns at 3,000 steps was 0.9, and FID's finite-sample bias at N = 1,000 was 1.8–6.3 (review §5.1)" },
  precision: { label: 'precision (N = 10,000, k 5)', margin: 0.02, digits: 3, lowerIsBetter: false, why: 'two points of precision: the spread of ns seeds at 3,000 steps (sd 0.016)' },
  recall: { label: 'recall (N = 10,000, k 5)', margin: 0.02, digits: 3, lowerIsBetter: false, why: 'as precision (ns seeds sd 0.022 at 3,000 steps)' },
  hq: { label: 'final HQ share', margin: 0.05, digits: 2, lowerIsBetter: false, why: 'one sample in twenty within 3σ of a mode' },
  coverage: { label: 'share of modes covered (gated)', margin: 0.05, digits: 2, lowerIsBetter: false, why: 'a twentieth of the modes (0.4 of ring8, 1.25 of grid25)' },
  collapse: { label: 'collapse rate (learnt runs)', margin: 0.2, digits: 2, lowerIsBetter: true, why: 'one run in five; at 10 seeds a side no interval of a rate difference is narrower, so "no difference" needs more seeds' },
  failure: { label: 'failure rate', margin: 0.2, digits: 2, lowerIsBetter: true, why: 'one run in five, as the collapse rate: 10 seeds a side cannot show a smaller difference' },
  cosine: { label: 'cosine of G’s gradient with the OT direction', margin: 0.1, digits: 2, lowerIsBetter: false, why: 'a tenth of the range [−1, 1] over which a direction can be wrong' },
  tracking: { label: 'detrended ρ(−L_D, distance to the data)', margin: 0.1, digits: 2, lowerIsBetter: false, why: 'a correlation of 0.1 explains 1 % of the variance' },
  time: { label: 'seconds to target (ratio)', margin: 0.1, digits: 2, lowerIsBetter: true, log: true, why: '±26 %: below the spread of one arm across seeds' },
  robust: { label: 'quality over paired random configurations (ratio)', margin: 0.05, digits: 2, lowerIsBetter: true, log: true, why: '±12 % of FID or sliced W₁ across configurations' },
} as const;
export type MeasureId = keyof typeof MEASURES;

export interface StudySettings {
  /** Which protocol: 'v3' (the full one), 'v2' (the 2,000-step protocol of the first committed records), 'quick' (a smoke test). */
  protocol: 'v3' | 'v2' | 'quick';
  /** 2-D modes experiment: seeds per arm and data set, G steps, arms. */
  seeds: number;
  steps: number;
  arms: string[];
  /** Config added to every modes trial (logging, exact W₁); {} in v2 so that its records match. */
  modesLogging: Record<string, unknown>;
  /** Random configurations per arm (the first is the 2-D preset), their steps, their arms. */
  robustnessConfigs: number;
  robustnessSteps: number;
  robustnessArms: string[];
  /** The gradient experiment: D steps, the checkpoints measured on the way, seeds. */
  gradientSteps: number;
  gradientCheckpoints: number[];
  gradientSeeds: number;
  /** G steps of each arm's ring8 preset timed back to back in the study's process (seconds per step). */
  timingSteps: number;
  /** Rounds of that timing after a warm-up run, the median per arm (wasserstein.ts timeArms); absent: 1, v2's rule. */
  timingRounds?: number;
  /** Stress settings on ring8 (claims 1 and 8), or null where the protocol has none. */
  stress: { seeds: number; steps: number; arms: string[]; conditions: string[] } | null;
  /** Random image configurations (claim 4), paired across arms, one seed each; null: none. */
  imageRobustness: { configs: number; dUpdates: number; evalSamples: number; arms: string[] } | null;
}

/** The stress settings, fixed in advance: name → who runs it, its overrides, what it stresses. */
export const STRESS_CONDITIONS: Record<string, { label: string; short: string; arms?: string[]; baselineAs?: string; overrides: Record<string, unknown> }> = {
  preset: { short: 'preset', label: 'the 2-D preset (no stress; for reference)', overrides: {} },
  lr5: { short: 'lr × 5', label: 'learning rate × 5 (5e-3, both nets)', overrides: { optimizerD: { lr: 5e-3 }, optimizerG: { lr: 5e-3 } } },
  'wide-d': { short: 'D 4× wider', label: 'D 4× wider than G (256 vs 64 units)', overrides: { model: { discriminator: { width: 256 } } } },
  ncritic1: { short: 'n_critic 1', label: 'n_critic 1 for the critics (ns: its preset, already 1)', arms: ['wgan', 'wgan-gp'], baselineAs: 'preset', overrides: { nCritic: 1 } },
};

export function studySettings(protocol: StudySettings['protocol'] = 'v3', seeds?: number): StudySettings {
  const modesArms = ['ns', 'minimax', 'wgan', 'wgan-gp', 'lsgan', 'dragan', 'hinge'];
  const robustArms = STUDY_ARMS.filter((a) => !a.sweep).map((a) => a.name);
  if (protocol === 'quick') {
    // A smoke test of every experiment on 2 cores in a few minutes: the baseline, minimax and the
    // two critics only, 2 seeds, 300 steps; no image trials.
    return {
      protocol,
      seeds: seeds ?? 2,
      steps: 300,
      arms: ['ns', 'minimax', 'wgan', 'wgan-gp'],
      modesLogging: { logEvery: 50, plotEvery: 100, exactW1Samples: 200 },
      robustnessConfigs: 2,
      robustnessSteps: 300,
      robustnessArms: ['ns', 'wgan', 'wgan-gp'],
      gradientSteps: 300,
      gradientCheckpoints: [10, 100],
      gradientSeeds: 2,
      timingSteps: 40,
      timingRounds: 2,
      stress: { seeds: 2, steps: 300, arms: ['ns', 'wgan-gp'], conditions: Object.keys(STRESS_CONDITIONS) },
      imageRobustness: null,
    };
  }
  const common = { robustnessConfigs: 50, robustnessSteps: 1000, robustnessArms: robustArms, gradientSteps: 2000, gradientCheckpoints: [10, 100, 1000], gradientSeeds: 5, timingSteps: 400 };
  if (protocol === 'v2') {
    return { protocol, seeds: seeds ?? 5, steps: 2000, arms: STUDY_ARMS.map((a) => a.name), modesLogging: {}, ...common, stress: null, imageRobustness: null };
  }
  return {
    protocol,
    seeds: seeds ?? 10,
    steps: 20_000,
    arms: modesArms,
    modesLogging: { logEvery: 100, plotEvery: 1000, checkpointEvery: 5000, exactW1Samples: 1000 },
    ...common,
    timingRounds: 3,
    stress: { seeds: 10, steps: 5000, arms: ['ns', 'wgan', 'wgan-gp'], conditions: Object.keys(STRESS_CONDITIONS) },
    imageRobustness: { configs: 12, dUpdates: 1875, evalSamples: 10_000, arms: ['ns', 'wgan', 'wgan-gp', 'hinge-sn'] },
  };
}

/** One 2-D run's final numbers (a failed run counts as the worst outcome; a pending one as no outcome). */
export interface RunOutcome {
  status: 'finished' | 'failed' | 'pending';
  modes: number;
  /** Modes holding ≥ 20 % of their expected samples (absent in records made before the measure). */
  modesGated?: number;
  totalModes: number;
  hq: number;
  /** Sliced W₁ to the data; +∞ for a run that failed. */
  sw: number;
  /** Exact W₁ of 1,000-point samples at the end, where logged. */
  w1?: number;
  /** Detrended (first-difference) Spearman ρ of −L_D with the distance to the data over training. */
  tracking?: number;
  /** The distance `tracking` used: the exact W₁ where logged, else the sliced W₁. */
  trackingMeasure?: 'exact W₁' | 'sliced W₁';
  /** G steps until the target (ring8: all modes, gated where logged, at ≥ 50 % HQ); ∞: never. */
  stepsToTarget?: number;
}

/** One image trial of a random configuration (claim 4): its final FID (∞: failed), or pending. */
export interface ImageOutcome {
  status: 'finished' | 'failed' | 'pending';
  fid: number;
  config: number;
}

/** One Fashion-MNIST trial of the image benchmark (npm run bench:fashion's results.json). */
export interface ImageTrial {
  seed: number;
  /** G steps and D updates of the trial. */
  steps: number;
  dUpdates: number;
  /** Scores at N = 10,000 of the last checkpoint; absent: the trial has none (yet). */
  final?: { fid: number; fidInfinity?: number; kid?: number; kidSe?: number; precision: number; recall: number; density?: number; coverage?: number; classifierScore?: number; samples: number; step: number };
  /** The last evaluation during training (N = 1,000): FID, precision, recall, its step. */
  last: { step: number; fid: number; precision: number; recall: number; elapsed: number };
  /** Wall seconds per G step and per D update (training and its evaluations). */
  secondsPerStep: number;
  secondsPerDUpdate: number;
  /** G steps, D updates and wall seconds until FID (N = 1,000) first fell to each threshold (∞: never). */
  stepsTo: Record<string, number>;
  dUpdatesTo: Record<string, number>;
  secondsTo: Record<string, number>;
  /** Trials running at once on the machine (wall seconds compare only at equal values). */
  concurrent: number;
}

/** Per-arm numbers the verdicts are drawn from. */
export interface ArmResult {
  arm: string;
  loss: string;
  role: StudyArm['role'];
  /** Per data set, one outcome per seed. */
  runs: Record<string, RunOutcome[]>;
  /** Wall seconds per G step of the arm's ring8 preset, timed with every arm back to back in one process. */
  secondsPerStep: number;
  /** Robustness: per data set, one outcome per random configuration (same order for every arm). */
  robust: Record<string, RunOutcome[]>;
  /** Image robustness: one outcome per random image configuration (same order for every arm). */
  robustImages?: ImageOutcome[];
  /** Stress: per condition, one outcome per seed (ring8). */
  stress?: Record<string, RunOutcome[]>;
  /** The gradient experiment, one curve per seed (absent for SN arms). */
  gradients?: GradientCurve[];
  /** Fashion-MNIST trials of the image benchmark, when given. */
  images?: ImageTrial[];
}

/** One pre-registered comparison of a method with ns, and what it came to. */
export interface Comparison {
  /** What is compared, in words (e.g. "ring8 final HQ share"). */
  what: string;
  measure: MeasureId;
  /** The effect in native units: method − ns (for `log` measures, log₁₀ method − log₁₀ ns). */
  effect?: Effect;
  /** The two sides in words (e.g. "0.78 (5 runs)"). */
  method?: string;
  baseline?: string;
  notTested?: string;
  verdict: Verdict;
  pAdjusted: number;
}

export interface MethodVerdict {
  arm: string;
  verdict: Verdict;
  comparisons: Comparison[];
  /** The comparison the verdict rests on (or, untested, the reason). */
  decisive: Comparison;
}

export interface ClaimResult {
  id: number;
  /** The claim as popularly stated. */
  claim: string;
  /** A few words for a plot's label. */
  short: string;
  /** How it is measured, in one line. */
  test: string;
  /** Data, seeds, budget. */
  evidence: string;
  /** What would change the verdict, in one line. */
  change: string;
  /** Other claims this one shares data with. */
  shares?: string;
  /** One verdict per arm compared with ns (WGAN-GP and WGAN first; the other arms as their own rows). */
  methods: MethodVerdict[];
  /** Numbers that explain the verdict without deciding it (shown with the comparisons). */
  context?: Array<{ title: string; header: string[]; rows: string[][] }>;
  /** What a reader must know to read the verdict, from the data (it never changes the verdict). */
  caveat?: string;
}

/** The loss's own running estimate of how far apart the distributions are: −L_D without the penalty. */
export function lossEstimate(row: Partial<MetricColumns> & { dLoss: number } & Record<string, number | null | undefined>): number {
  return row[CRITIC_COLUMNS[0].name] ?? -(row.dLoss - (row.penalty ?? 0));
}

const finishedRuns = (rs: RunOutcome[] = []) => rs.filter((r) => r.status !== 'pending');
const pendingNote = (rs: Array<{ status: string }> | undefined, who: string) => {
  const p = (rs ?? []).filter((r) => r.status === 'pending').length;
  return !rs?.length ? `${who}: no runs` : p ? `pending: ${p} of ${rs.length} ${who} runs not run yet` : '';
};
const medianHq = (rs: RunOutcome[]) => median(rs.map((r) => r.hq));
const learntRuns = (rs: RunOutcome[]) => rs.filter((r) => r.status === 'finished' && r.hq >= LEARNT_HQ);
const enoughLearnt = (rs: RunOutcome[]) => learntRuns(rs).length >= Math.max(2, Math.ceil(rs.length / 2));
const gatedOf = (r: RunOutcome) => r.modesGated!;
const collapsed = (r: RunOutcome) => gatedOf(r) < r.totalModes;
/** A stress run failed: diverged or did not finish, the data never learnt (HQ < 0.1), or at most half the modes (gated, else ungated). */
export const failedRun = (r: RunOutcome) => r.status === 'failed' || r.hq < FAILED_HQ || (r.modesGated ?? r.modes) <= r.totalModes / 2;

const side = (xs: number[], digits: number, stat: 'mean' | 'median' = 'mean') => {
  const v = stat === 'mean' ? xs.reduce((a, b) => a + b, 0) / xs.length : median(xs);
  return `${num(v, digits)} (${xs.length} run${xs.length === 1 ? '' : 's'})`;
};
const rate = (x: number, n: number) => `${x}/${n}`;

/** The effect of a log measure as method ÷ ns: "×1.23 [0.95, 1.60]". */
export function fmtEffect(c: Comparison): string {
  const e = c.effect;
  if (!e || c.notTested) return c.notTested ?? 'n/a';
  const m = MEASURES[c.measure];
  if ('log' in m && m.log) {
    const r = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '0' : num(10 ** x, 2));
    return `×${r(e.estimate)} [${r(e.lo)}, ${r(e.hi)}]`;
  }
  const sign = (x: number) => (x > 0 ? `+${num(x, m.digits)}` : num(x, m.digits));
  return `${sign(e.estimate)} [${num(e.lo, m.digits)}, ${num(e.hi, m.digits)}]`;
}

/** A comparison's verdict from its family (`judgeFamily`), with `lowerIsBetter` measures turned round. */
function family(arm: string, members: Array<Omit<Comparison, 'verdict' | 'pAdjusted'>>): MethodVerdict {
  const judged = judgeFamily(members.map((c) => ({ effect: c.effect && (MEASURES[c.measure].lowerIsBetter ? negate(c.effect) : c.effect), margin: MEASURES[c.measure].margin, notTested: c.notTested })));
  const comparisons = members.map((c, i) => ({ ...c, verdict: judged.verdicts[i], pAdjusted: judged.pAdjusted[i] }));
  const verdict = judged.verdict;
  const same = comparisons.filter((c) => c.verdict === verdict && verdict !== 'not tested').sort((a, b) => (a.pAdjusted || 1) - (b.pAdjusted || 1));
  // Untested: the most telling reason (a measured floor or an unlearnt arm before 'not in this protocol').
  const decisive = same[0] ?? comparisons.find((c) => c.verdict !== 'not tested') ?? comparisons.find((c) => !c.notTested?.startsWith('not in this protocol')) ?? comparisons[0];
  return { arm, verdict, comparisons, decisive };
}

/** Compares per-run times (∞: never) on a log₁₀ scale: Welch where every run got there, the exact rank test otherwise. */
function compareTimes(a: number[], b: number[]): Effect {
  const la = a.map(Math.log10);
  const lb = b.map(Math.log10);
  return [...la, ...lb].every(Number.isFinite) ? welch(la, lb) : shift(la, lb);
}

/** The claims' verdicts from the measured numbers (see the header). */
export function verdicts(results: ArmResult[], settings?: Pick<StudySettings, 'steps'>): ClaimResult[] {
  const byArm = new Map(results.map((r) => [r.arm, r]));
  const base = byArm.get(BASELINE);
  const others = results.filter((r) => r.arm !== BASELINE && !armByNameOrNull(r.arm)?.sweep);
  const ordered = [...METHODS.map((m) => byArm.get(m)).filter((r): r is ArmResult => Boolean(r)), ...others.filter((r) => !(METHODS as readonly string[]).includes(r.arm))];
  const datasets = ['ring8', 'grid25'];
  const out: ClaimResult[] = [];
  const seedsOf = (rs: ArmResult | undefined, d: string) => rs?.runs[d]?.length ?? 0;
  const none = (what: string, measure: MeasureId, why: string): Omit<Comparison, 'verdict' | 'pAdjusted'> => ({ what, measure, notTested: why });

  // --- 2-D helpers ---------------------------------------------------------------------------
  const twoD = (a: ArmResult, d: string, what: string, measure: MeasureId, compare: (ra: RunOutcome[], rb: RunOutcome[]) => Omit<Comparison, 'verdict' | 'pAdjusted'>) => {
    const ra = a.runs[d];
    const rb = base?.runs[d];
    if (!ra?.length || !rb?.length) return none(what, measure, `no ${d} runs of ${!ra?.length ? a.arm : BASELINE}`);
    const pending = pendingNote(ra, a.arm) || pendingNote(rb, BASELINE);
    if (pending) return none(what, measure, pending);
    return compare(ra, rb);
  };

  // (1) The critic can be trained to optimality without overpowering the generator.
  const lastCheckpoint = (r: ArmResult | undefined) => Math.max(...(r?.gradients?.flatMap((g) => g.points.map((p) => p.dSteps)) ?? [NaN]));
  const cosineAt = (r: ArmResult, steps: number) => (r.gradients ?? []).map((g) => g.points.find((p) => p.dSteps === steps)?.cosineOt).filter((x): x is number => x !== undefined);
  const gradientComparison = (a: ArmResult, steps: number, label: string): Omit<Comparison, 'verdict' | 'pAdjusted'> => {
    const what = `cosine to OT ${label}`;
    if (!a.gradients?.length || !base?.gradients?.length) return none(what, 'cosine', `no gradient experiment for ${!a.gradients?.length ? a.arm : BASELINE}`);
    const [x, y] = [cosineAt(a, steps), cosineAt(base, steps)];
    return { what, measure: 'cosine', effect: welch(x, y), method: side(x, 2), baseline: side(y, 2) };
  };
  const stressRuns = (r: ArmResult | undefined, cond: string) => {
    const c = STRESS_CONDITIONS[cond];
    const name = r?.arm === BASELINE && c?.baselineAs ? c.baselineAs : cond;
    return r?.stress?.[name];
  };
  const stressComparison = (a: ArmResult, cond: string): Omit<Comparison, 'verdict' | 'pAdjusted'> => {
    const what = `ring8 failure rate, ${STRESS_CONDITIONS[cond].short}`;
    const [ra, rb] = [stressRuns(a, cond), stressRuns(base, cond)];
    if (!ra?.length || !rb?.length) return none(what, 'failure', `not in this protocol (no ${cond} stress runs of ${!ra?.length ? a.arm : BASELINE})`);
    const pending = pendingNote(ra, a.arm) || pendingNote(rb, BASELINE);
    if (pending) return none(what, 'failure', pending);
    const [xa, xb] = [ra.filter(failedRun).length, rb.filter(failedRun).length];
    if (xa + xb === 0) return { ...none(what, 'failure', `no run of either arm failed (floor: ${rate(0, ra.length)} vs ${rate(0, rb.length)})`), method: rate(xa, ra.length), baseline: rate(xb, rb.length) };
    return { what, measure: 'failure', effect: proportions(xa, ra.length, xb, rb.length), method: rate(xa, ra.length), baseline: rate(xb, rb.length) };
  };
  // A method that already fails without stress: its stress failures restate that, and a reader must be told.
  const presetCaveat = ((): string | undefined => {
    const notes = Object.keys(METHOD_LABEL).flatMap((arm) => {
      const runs = stressRuns(ordered.find((a) => a.arm === arm), 'preset');
      if (!runs?.length || runs.some((r) => r.status === 'pending')) return [];
      const x = runs.filter(failedRun).length;
      return 2 * x >= runs.length ? [`${METHOD_LABEL[arm]} fails ${rate(x, runs.length)} at its 2-D preset without any stress, so its failures under stress mostly restate that it does not learn ring8 at this budget; the verdict counts them all the same, as the protocol fixed in advance`] : [];
    });
    return notes.length ? `${notes.join('. ')}.` : undefined;
  })();
  const opt = lastCheckpoint(base);
  const stressNote = (r: ArmResult | undefined) => (r?.stress ? Object.values(r.stress)[0]?.length : 0);
  const stressPending = (r: ArmResult | undefined) => (Object.values(r?.stress ?? {}).flat().some((o) => o.status === 'pending') ? ' (pending)' : '');
  out.push({
    id: 1,
    short: 'critic trained to optimality',
    claim: 'Stabilises training: the critic can be trained to optimality without overpowering the generator',
    test: "the generator's gradient direction at a near-optimal critic, and the failure rate when D is 4× wider than G",
    evidence: [base?.gradients?.length ? `2-D critic trained alone ${num(opt, 0)} steps, ${base.gradients.length} seeds` : '', stressNote(base) ? `ring8 stress, ${stressNote(base)} seeds${stressPending(base)}` : 'stress runs: not in this protocol'].filter(Boolean).join('; '),
    change: 'a critic whose gradient at optimality points the fakes away from the data, or wide-D failures above NS’s over 10 seeds',
    shares: 'the near-optimal gradient with claim 3; the stress runs with claim 8',
    caveat: presetCaveat,
    methods: ordered.map((a) => family(a.arm, [gradientComparison(a, opt, `at ${num(opt, 0)} D steps (near-optimal)`), stressComparison(a, 'wide-d')])),
  });

  // (2) Prevents mode collapse: the rate of collapsed runs among runs that learnt the data.
  const collapseComparison = (a: ArmResult, d: string) =>
    twoD(a, d, `${d} collapse rate (learnt runs)`, 'collapse', (ra, rb) => {
      const what = `${d} collapse rate (learnt runs)`;
      if ([...ra, ...rb].some((r) => r.status === 'finished' && r.modesGated === undefined)) return none(what, 'collapse', 'the records predate the gated mode count (≥ 20 % of a mode’s expected samples)');
      for (const [rs, who] of [[ra, a.arm], [rb, BASELINE]] as const) {
        if (!enoughLearnt(rs)) return none(what, 'collapse', `${who} never learnt ${d}: ${learntRuns(rs).length} of ${rs.length} runs at HQ ≥ ${LEARNT_HQ} (median ${num(medianHq(rs), 2)}); diffuse, not collapsed`);
      }
      const [la, lb] = [learntRuns(ra), learntRuns(rb)];
      const [xa, xb] = [la.filter(collapsed).length, lb.filter(collapsed).length];
      if (xa + xb === 0) return { ...none(what, 'collapse', `no learnt run of either arm lost a mode (floor: ${rate(0, la.length)} vs ${rate(0, lb.length)})`), method: rate(xa, la.length), baseline: rate(xb, lb.length) };
      return { what, measure: 'collapse', effect: proportions(xa, la.length, xb, lb.length), method: rate(xa, la.length), baseline: rate(xb, lb.length) };
    });
  const evidence2d = () => {
    const s = seedsOf(base, 'ring8');
    const pending = (base?.runs.ring8 ?? []).every((r) => r.status === 'pending');
    return s ? `ring8 + grid25, ${s} seeds${settings ? `, ${settings.steps.toLocaleString('en')} G steps` : ''}${pending ? ' (pending)' : ''}` : 'no 2-D runs';
  };
  out.push({
    id: 2,
    short: 'prevents mode collapse',
    claim: 'Prevents mode collapse',
    test: 'share of learnt runs (HQ ≥ 50 %) that miss a mode (gated: < 20 % of its expected samples)',
    evidence: evidence2d(),
    change: 'a learnt WGAN run missing a mode where NS covers all, or the reverse, at a rate Fisher’s test can see over 10 seeds',
    shares: 'its runs with claims 6, 9 and 10',
    context: [modesContext([base, ...ordered].filter((r): r is ArmResult => Boolean(r && Object.keys(r.runs).length)))],
    methods: ordered.map((a) => family(a.arm, datasets.map((d) => collapseComparison(a, d)))),
  });

  // (3) Better, non-vanishing gradients: the direction at critics trained 10, 100, 1,000 steps.
  const early = (base?.gradients?.[0]?.points.map((p) => p.dSteps) ?? []).filter((s) => s < opt);
  out.push({
    id: 3,
    short: 'better gradients',
    claim: 'Gives better, non-vanishing gradients',
    test: "cosine of G's gradient with the optimal-transport direction at critics trained 10, 100, 1,000 D steps (size: a ratio to NS's, shown, not judged)",
    evidence: base?.gradients?.length ? `ring8 vs a collapsed G, critic trained alone, ${base.gradients.length} seeds` : 'no gradient experiment',
    change: 'a critic whose early gradients point the fakes towards the data more (or less) directly than NS’s',
    shares: 'the experiment with claim 1',
    methods: ordered.map((a) => family(a.arm, (early.length ? early : [10, 100, 1000]).map((s) => gradientComparison(a, s, `at ${s} D steps`)))),
    context: base?.gradients?.length ? [gradientContext([base, ...ordered].filter((r) => r.gradients?.length), base)] : undefined,
  });

  // (4) Robust to hyper-parameters: paired random configurations, quality ratio to ns.
  const imageRobust = (a: ArmResult): Omit<Comparison, 'verdict' | 'pAdjusted'> => {
    const what = 'Fashion FID, paired random configs';
    const [ra, rb] = [a.robustImages, base?.robustImages];
    if (!ra?.length || !rb?.length) return none(what, 'robust', `not in this protocol (no image configurations of ${!ra?.length ? a.arm : BASELINE})`);
    const pending = pendingNote(ra, a.arm) || pendingNote(rb, BASELINE);
    if (pending) return none(what, 'robust', pending);
    const [x, y] = [ra.map((o) => Math.log10(o.fid)), rb.map((o) => Math.log10(o.fid))];
    return { what, measure: 'robust', effect: pairedShift(x, y), method: `median FID ${num(median(ra.map((o) => o.fid)), 1)}`, baseline: `median ${num(median(rb.map((o) => o.fid)), 1)} (${rb.length} configs)` };
  };
  const twoDRobust = (a: ArmResult, d: string): Omit<Comparison, 'verdict' | 'pAdjusted'> => {
    const what = `${d} SW₁, paired 2-D configs`;
    const [ra, rb] = [a.robust[d], base?.robust[d]];
    if (!ra?.length || !rb?.length) return none(what, 'robust', `no ${d} configurations of ${!ra?.length ? a.arm : BASELINE}`);
    const pending = pendingNote(ra, a.arm) || pendingNote(rb, BASELINE);
    if (pending) return none(what, 'robust', pending);
    const best = Math.max(...ra.map((o) => o.hq), ...rb.map((o) => o.hq));
    if (best < LEARNT_HQ) return none(what, 'robust', `no configuration of either arm learnt ${d} (best HQ ${num(best, 2)} < ${LEARNT_HQ})`);
    const [x, y] = [ra.map((o) => Math.log10(o.sw)), rb.map((o) => Math.log10(o.sw))];
    return { what, measure: 'robust', effect: pairedShift(x, y), method: `median ${num(median(ra.map((o) => o.sw)), 3)}`, baseline: `median ${num(median(rb.map((o) => o.sw)), 3)} (${rb.length} configs)` };
  };
  const imgConfigs = base?.robustImages?.length ?? 0;
  out.push({
    id: 4,
    short: 'robust to hyper-parameters',
    claim: 'Is robust to architecture and hyper-parameter choices',
    test: 'quality over random configurations paired across losses (Lucic et al. 2018): the method ÷ ns, median of paired ratios',
    evidence: [imgConfigs ? `Fashion, ${imgConfigs} configs × 1 seed${base!.robustImages!.some((o) => o.status === 'pending') ? ' (pending)' : ''}` : 'images: not in this protocol', base?.robust.ring8?.length ? `gankit's 2-D space, ${base.robust.ring8.length} configs` : ''].filter(Boolean).join('; '),
    change: 'the FID distribution over ≥ 12 paired configurations shifting against (or for) the critics; Lucic used 100',
    context: robustContext([base, ...ordered].filter((r): r is ArmResult => Boolean(r))),
    methods: ordered.map((a) => family(a.arm, [imageRobust(a), ...datasets.map((d) => twoDRobust(a, d))])),
  });

  // (5) Image quality: FID at N = 10,000 of the last checkpoint, the benchmark's budget.
  const withFinal = (r: ArmResult | undefined) => (r?.images ?? []).filter((t) => t.final);
  const imageComparison = (a: ArmResult, measure: 'fid' | 'precision' | 'recall'): Omit<Comparison, 'verdict' | 'pAdjusted'> => {
    const what = `Fashion ${MEASURES[measure].label}`;
    const [ta, tb] = [withFinal(a), withFinal(base)];
    if (!ta.length || !tb.length) {
      const missing = !ta.length ? a.arm : BASELINE;
      const prelim = (byArm.get(missing)?.images ?? []).length;
      return none(what, measure, prelim ? `pending: ${missing}'s trials have no N = 10,000 scores yet (the 15,625-D-update benchmark)` : `pending: no ${missing} trial in the image benchmark's results`);
    }
    const [x, y] = [ta.map((t) => t.final![measure]), tb.map((t) => t.final![measure])];
    return { what, measure, effect: welch(x, y), method: side(x, MEASURES[measure].digits), baseline: side(y, MEASURES[measure].digits) };
  };
  const imgSeeds = withFinal(base).length;
  // The seeds behind the image comparisons: one count when ns and the WGAN arms agree, else each arm's.
  const imgArms = [base, ...METHODS.map((m) => byArm.get(m))].filter((r): r is ArmResult => Boolean(r)).map((r) => ({ arm: r.arm, n: withFinal(r).length }));
  const imgSeedsText = imgArms.every((x) => x.n === imgSeeds) ? `${imgSeeds} seeds` : `${imgArms.map((x) => `${x.arm} ${x.n}`).join(', ')} seeds`;
  out.push({
    id: 5,
    short: 'image quality',
    claim: 'Improves image quality',
    test: 'Fashion-MNIST FID at N = 10,000 of the last checkpoint, at 15,625 D updates (Lucic et al.’s budget)',
    evidence: imgSeeds ? `Fashion, ${imgSeedsText}, ${num(withFinal(base)[0].dUpdates, 0)} D updates, N = 10,000` : 'pending: the 15,625-D-update image benchmark',
    change: 'a FID gap beyond ±2 with a Welch interval that excludes 0 once the image trials are scored',
    shares: 'its trials with claims 7 and 10',
    context: imageContext([base, ...ordered].filter((r): r is ArmResult => Boolean(r?.images?.length))),
    methods: ordered.map((a) => family(a.arm, [imageComparison(a, 'fid')])),
  });

  // (6) Reduces mode collapse: mean share of modes covered (gated) among learnt runs.
  const coverageComparison = (a: ArmResult, d: string) =>
    twoD(a, d, `${d} modes covered (gated, learnt runs)`, 'coverage', (ra, rb) => {
      const what = `${d} modes covered (gated, learnt runs)`;
      if ([...ra, ...rb].some((r) => r.status === 'finished' && r.modesGated === undefined)) return none(what, 'coverage', 'the records predate the gated mode count');
      for (const [rs, who] of [[ra, a.arm], [rb, BASELINE]] as const) {
        if (!enoughLearnt(rs)) return none(what, 'coverage', `${who} never learnt ${d} (median HQ ${num(medianHq(rs), 2)} < ${LEARNT_HQ})`);
      }
      const [la, lb] = [learntRuns(ra), learntRuns(rb)];
      if (![...la, ...lb].some(collapsed)) return none(what, 'coverage', `every learnt run of both arms covers all ${ra[0].totalModes} modes (ceiling)`);
      const [x, y] = [la.map((r) => gatedOf(r) / r.totalModes), lb.map((r) => gatedOf(r) / r.totalModes)];
      return { what, measure: 'coverage', effect: welch(x, y), method: side(x, 2), baseline: side(y, 2) };
    });
  out.push({
    id: 6,
    short: 'reduces mode collapse',
    claim: 'Reduces mode collapse',
    test: 'mean share of modes covered (gated) by the runs that learnt the data',
    evidence: evidence2d(),
    change: 'a difference in covered modes beyond ±5 % among learnt runs, once the 20,000-step runs exist',
    shares: 'its runs with claims 2, 9 and 10',
    context: [modesContext([base, ...ordered].filter((r): r is ArmResult => Boolean(r && Object.keys(r.runs).length)))],
    methods: ordered.map((a) => family(a.arm, datasets.map((d) => coverageComparison(a, d)))),
  });

  // (7) Efficiency: wall seconds to a quality target.
  // A run that never got there counts as ∞ (then a ratio's interval can reach 0 or ∞): say how many.
  const timeSide = (v: number[], digits: number, unit: 'runs' | 'seeds') => {
    const never = v.filter((t) => !Number.isFinite(t)).length;
    return `median ${num(median(v), digits)} s (${v.length} ${unit}${never ? `, ${never} never` : ''})`;
  };
  const ring8Time = (a: ArmResult) =>
    twoD(a, 'ring8', 'ring8 seconds to target', 'time', (ra, rb) => {
      const gated = [...ra, ...rb].every((r) => r.status !== 'finished' || r.modesGated !== undefined);
      const what = `ring8 seconds to target${gated ? '' : ' (ungated modes)'}`;
      const [x, y] = [ra.map((r) => (r.stepsToTarget ?? Infinity) * a.secondsPerStep), rb.map((r) => (r.stepsToTarget ?? Infinity) * base!.secondsPerStep)];
      if (![...x, ...y].some(Number.isFinite)) return none(what, 'time', 'no run of either arm reached the target');
      return { what, measure: 'time', effect: compareTimes(x, y), method: timeSide(x, 1, 'runs'), baseline: timeSide(y, 1, 'runs') };
    });
  const imageTime = (a: ArmResult): Omit<Comparison, 'verdict' | 'pAdjusted'> => {
    const th = FID_THRESHOLDS[0];
    const what = `Fashion seconds to FID ≤ ${th}`;
    const [ta, tb] = [withFinal(a), withFinal(base)];
    if (!ta.length || !tb.length) return none(what, 'time', `pending: no ${!ta.length ? a.arm : BASELINE} trial of the 15,625-D-update benchmark`);
    const loads = new Set([...ta, ...tb].map((t) => t.concurrent));
    if (loads.size > 1) return none(what, 'time', `the trials ran under different loads (${[...loads].join(', ')} at once): wall seconds do not compare`);
    const [x, y] = [ta.map((t) => t.secondsTo[th]), tb.map((t) => t.secondsTo[th])];
    if (![...x, ...y].some(Number.isFinite)) return none(what, 'time', `no trial of either arm reached FID ≤ ${th}`);
    return { what, measure: 'time', effect: compareTimes(x, y), method: timeSide(x, 0, 'seeds'), baseline: timeSide(y, 0, 'seeds') };
  };
  out.push({
    id: 7,
    short: 'efficiency',
    claim: 'Trains more efficiently',
    test: 'wall seconds to a quality target (ring8: all modes at ≥ 50 % HQ; Fashion: FID ≤ 30), the method ÷ ns',
    evidence: [base?.runs.ring8?.length ? `ring8, ${seedsOf(base, 'ring8')} seeds, timed back to back` : '', imgSeeds ? `Fashion, ${imgSeedsText}` : 'Fashion: pending'].filter(Boolean).join('; '),
    change: 'a critic reaching the targets in fewer seconds (not only fewer G steps) than NS, beyond ±26 %',
    shares: 'the image trials with claims 5 and 10',
    context: costContext([base, ...ordered].filter((r): r is ArmResult => Boolean(r))),
    methods: ordered.map((a) => family(a.arm, [ring8Time(a), imageTime(a)])),
  });

  // (8) Stability: failure rates under stress.
  out.push({
    id: 8,
    short: 'training stability',
    claim: 'Improves training stability',
    test: 'share of ring8 runs that fail (diverge, never learn: HQ < 10 %, or keep ≤ half the modes) under lr × 5 and n_critic 1',
    evidence: stressNote(base) ? `ring8 stress, ${stressNote(base)} seeds${stressPending(base)}` : 'stress runs: not in this protocol',
    change: 'failure rates that differ by more than one run in five under a stress setting, over 10 seeds',
    shares: 'the stress runs with claim 1',
    caveat: presetCaveat,
    methods: ordered.map((a) => family(a.arm, ['lr5', 'ncritic1'].map((c) => stressComparison(a, c)))),
  });

  // (9) A meaningful loss: detrended correlation of −L_D with the distance to the data.
  const trackingComparison = (a: ArmResult, d: string) =>
    twoD(a, d, `${d} detrended ρ(−L_D, W₁)`, 'tracking', (ra, rb) => {
      const measures = new Set([...ra, ...rb].map((r) => r.trackingMeasure).filter(Boolean));
      const what = `${d} detrended ρ(−L_D, ${[...measures].join('/') || 'distance'})`;
      const [x, y] = [ra.map((r) => r.tracking).filter((v): v is number => v !== undefined && Number.isFinite(v)), rb.map((r) => r.tracking).filter((v): v is number => v !== undefined && Number.isFinite(v))];
      if (x.length < 2 || y.length < 2) return none(what, 'tracking', 'fewer than two runs with a loss and a distance series');
      return { what, measure: 'tracking', effect: welch(x, y), method: side(x, 2), baseline: side(y, 2) };
    });
  out.push({
    id: 9,
    short: 'meaningful loss',
    claim: "Gives a meaningful loss: −L_D tracks sample quality",
    test: 'Spearman ρ between the step-to-step changes of −L_D and of the distance to the data (exact W₁ of 1,000 points where logged), per run',
    evidence: evidence2d(),
    change: 'a critic whose loss changes with the exact W₁ more closely than NS’s does, beyond ρ ± 0.1',
    shares: 'its runs with claims 2, 6 and 10',
    methods: ordered.map((a) => family(a.arm, datasets.map((d) => trackingComparison(a, d)))),
  });

  // (10) A better generator: final sample quality.
  const hqComparison = (a: ArmResult, d: string) =>
    twoD(a, d, `${d} final HQ`, 'hq', (ra, rb) => {
      const what = `${d} final HQ`;
      if (medianHq(ra) < LEARNT_HQ && medianHq(rb) < LEARNT_HQ) return { ...none(what, 'hq', `neither arm learnt ${d} (median HQ ${num(medianHq(ra), 2)} and ${num(medianHq(rb), 2)} < ${LEARNT_HQ}): noise around a floor`), method: side(ra.map((r) => r.hq), 2), baseline: side(rb.map((r) => r.hq), 2) };
      const [x, y] = [finishedRuns(ra).map((r) => r.hq), finishedRuns(rb).map((r) => r.hq)];
      return { what, measure: 'hq', effect: welch(x, y), method: side(x, 2), baseline: side(y, 2) };
    });
  out.push({
    id: 10,
    short: 'better generator',
    claim: "Improves the generator's samples",
    test: 'final HQ share on ring8 and grid25; precision and recall at N = 10,000 on Fashion-MNIST',
    evidence: [evidence2d(), imgSeeds ? `Fashion, ${imgSeedsText}` : 'Fashion: pending'].join('; '),
    change: 'an HQ gap beyond ±0.05 on a data set both arms learnt, or a precision/recall gap beyond ±0.02 at N = 10,000',
    shares: 'its runs with claims 2, 6 and 9; the image trials with claims 5 and 7',
    methods: ordered.map((a) => family(a.arm, [...datasets.map((d) => hqComparison(a, d)), imageComparison(a, 'precision'), imageComparison(a, 'recall')])),
  });
  return out;
}

/**
 * "best / Q1 / median / Q3" of a distribution over configurations, with the same quantile rule as
 * every comparison (linear interpolation): the median here is the median the comparisons report.
 */
export function quartileSummary(xs: number[], digits: number): string {
  if (!xs.length) return '–';
  return [Math.min(...xs), quantile(xs, 0.25), quantile(xs, 0.5), quantile(xs, 0.75)].map((x) => num(x, digits)).join(' / ');
}

/** Claim 3's context: size and direction at every checkpoint, the size as a ratio to ns's (geometric mean over seeds). */
function gradientContext(arms: ArmResult[], base: ArmResult): { title: string; header: string[]; rows: string[][] } {
  const steps = base.gradients![0].points.map((p) => p.dSteps);
  const rows = [...new Map(arms.map((a) => [a.arm, a])).values()].flatMap((a) =>
    steps.map((st) => {
      const at = (r: ArmResult) => r.gradients!.map((g) => g.points.find((p) => p.dSteps === st)!);
      const mine = at(a);
      const ns = at(base);
      const ratios = mine.map((p, i) => Math.log10(p.magnitude / ns[i].magnitude)).filter(Number.isFinite);
      const geo = ratios.length ? 10 ** (ratios.reduce((x, y) => x + y, 0) / ratios.length) : NaN;
      const m = (f: (p: (typeof mine)[number]) => number, d: number) => num(mine.map(f).reduce((x, y) => x + y, 0) / mine.length, d);
      return [a.arm, String(st), mine.reduce((x, p) => x + p.magnitude, 0) / mine.length < 0.01 ? (mine.reduce((x, p) => x + p.magnitude, 0) / mine.length).toExponential(1) : m((p) => p.magnitude, 3), Number.isFinite(geo) ? (geo < 0.01 || geo > 100 ? geo.toExponential(1) : num(geo, 3)) : 'n/a', m((p) => p.cosineOt, 2), m((p) => p.cosineMode, 2)];
    }),
  );
  return { title: 'Size and direction at every checkpoint (means over seeds; minimax trains the same D as ns, so its direction is ns’s and only its size differs)', header: ['arm', 'D steps', 'mean |∂L_G/∂x|', '÷ ns (geometric mean)', 'cosine to OT', 'cosine to nearest mode'], rows };
}

/** Claims 2 and 6: what each arm's runs were — learnt, collapsed among the learnt, diffuse. */
function modesContext(arms: ArmResult[]): { title: string; header: string[]; rows: string[][] } {
  const rows = [...new Map(arms.map((a) => [a.arm, a])).values()].flatMap((a) =>
    Object.entries(a.runs).map(([d, rs]) => {
      const done = rs.filter((r) => r.status !== 'pending');
      if (!done.length) return [a.arm, d, `pending (${rs.length})`, '', '', '', '', ''];
      const learnt = learntRuns(done);
      const gated = done.every((r) => r.modesGated !== undefined);
      return [a.arm, d, String(done.length), `${learnt.length}`, gated ? String(learnt.filter(collapsed).length) : 'n/a (no gated count)', String(done.filter((r) => r.hq < LEARNT_HQ).length), num(done.reduce((x, r) => x + r.modes, 0) / done.length, 1), gated ? num(done.reduce((x, r) => x + gatedOf(r), 0) / done.length, 1) : 'n/a'];
    }),
  );
  return { title: `Runs by kind: learnt (HQ ≥ ${LEARNT_HQ}), collapsed (learnt, a mode under 20 % of its expected samples), diffuse (HQ < ${LEARNT_HQ})`, header: ['arm', 'data', 'runs', 'learnt', 'collapsed', 'diffuse', 'mean modes (≥ 1 sample)', 'mean modes (gated)'], rows };
}

/** Claim 7: what a step costs, and the steps, updates and seconds to each target. */
function costContext(arms: ArmResult[]): Array<{ title: string; header: string[]; rows: string[][] }> {
  const uniq = [...new Map(arms.map((a) => [a.arm, a])).values()];
  const out = [];
  const ring = uniq.filter((a) => a.runs.ring8?.some((r) => r.status !== 'pending'));
  if (ring.length) {
    out.push({
      title: 'ring8: G steps and seconds to all modes at ≥ 50 % HQ (medians over seeds; ∞: the median run never got there)',
      header: ['arm', 's per G step (timed)', 'median G steps to target', 'median seconds to target', 'runs that got there'],
      rows: ring.map((a) => {
        const rs = a.runs.ring8.filter((r) => r.status !== 'pending');
        const st = rs.map((r) => r.stepsToTarget ?? Infinity);
        return [a.arm, num(a.secondsPerStep * 1000, 2) + ' ms', num(median(st), 0), num(median(st) * a.secondsPerStep, 1), `${st.filter(Number.isFinite).length}/${st.length}`];
      }),
    });
  }
  const img = uniq.filter((a) => a.images?.length);
  if (img.length) {
    out.push({
      title: 'Fashion-MNIST: the cost of a step and the way to each FID threshold (medians over seeds; FID at N = 1,000 during training)',
      header: ['arm', 'seeds', 's per G step', 's per D update', ...FID_THRESHOLDS.flatMap((t) => [`G steps to ≤ ${t}`, `D updates to ≤ ${t}`, `s to ≤ ${t}`]), 'load (trials at once)'],
      rows: img.map((a) => {
        const t = a.images!;
        const med = (f: (x: ImageTrial) => number, d: number) => num(median(t.map(f)), d);
        return [a.arm, String(t.length), med((x) => x.secondsPerStep, 3), med((x) => x.secondsPerDUpdate, 3), ...FID_THRESHOLDS.flatMap((th) => [med((x) => x.stepsTo[th], 0), med((x) => x.dUpdatesTo[th], 0), med((x) => x.secondsTo[th], 0)]), [...new Set(t.map((x) => x.concurrent))].join(', ')];
      }),
    });
  }
  return out;
}

/** Claim 5: the image trials, including those without N = 10,000 scores (not used for a verdict). */
function imageContext(arms: ArmResult[]): Array<{ title: string; header: string[]; rows: string[][] }> {
  const uniq = [...new Map(arms.map((a) => [a.arm, a])).values()];
  if (!uniq.length) return [];
  return [{
    title: 'Every image trial read: the last FID during training is at N = 1,000 (biased by 2–6 FID, review §5.1) and is shown for reference only; verdicts use N = 10,000',
    header: ['arm', 'seeds', 'G steps', 'D updates', 'last FID, N = 1,000 (each seed)', 'FID, N = 10,000 (each seed)', 'FID∞'],
    rows: uniq.map((a) => {
      const t = a.images!;
      return [a.arm, String(t.length), [...new Set(t.map((x) => x.steps))].join(', '), [...new Set(t.map((x) => x.dUpdates))].join(', '), t.map((x) => num(x.last.fid, 1)).join(', '), t.some((x) => x.final) ? t.map((x) => (x.final ? num(x.final.fid, 1) : '–')).join(', ') : 'none yet', t.some((x) => x.final?.fidInfinity !== undefined) ? t.map((x) => num(x.final?.fidInfinity ?? NaN, 1)).join(', ') : '–'];
    }),
  }];
}

/** Claim 4: the distributions over configurations (best / Q1 / median / Q3; failed runs count as ∞). */
function robustContext(arms: ArmResult[]): Array<{ title: string; header: string[]; rows: string[][] }> {
  const uniq = [...new Map(arms.map((a) => [a.arm, a])).values()];
  const out = [];
  const two = uniq.filter((a) => Object.keys(a.robust).length);
  if (two.length) {
    out.push({
      title: "gankit's 2-D random space: sliced W₁ and HQ over configurations",
      header: ['arm', 'configs', 'ring8 sliced W₁ best / Q1 / median / Q3', 'ring8 best HQ', 'grid25 sliced W₁ best / Q1 / median / Q3', 'grid25 best HQ', 'failed'],
      rows: two.map((a) => {
        const r = a.robust;
        const f = (d: string) => (r[d] ?? []).filter((o) => o.status !== 'pending');
        return [a.arm, String(f('ring8').length), quartileSummary(f('ring8').map((o) => o.sw), 3), num(Math.max(...f('ring8').map((o) => o.hq)), 2), quartileSummary(f('grid25').map((o) => o.sw), 3), num(Math.max(...f('grid25').map((o) => o.hq)), 2), String([...f('ring8'), ...f('grid25')].filter((o) => o.status === 'failed').length)];
      }),
    });
  }
  const img = uniq.filter((a) => a.robustImages?.some((o) => o.status !== 'pending'));
  if (img.length) {
    out.push({
      title: "compare_gan's wide space on Fashion-MNIST: FID (N = 10,000) over configurations",
      header: ['arm', 'configs', 'FID best / Q1 / median / Q3', 'failed'],
      rows: img.map((a) => {
        const o = a.robustImages!.filter((x) => x.status !== 'pending');
        return [a.arm, String(o.length), quartileSummary(o.map((x) => x.fid), 1), String(o.filter((x) => x.status === 'failed').length)];
      }),
    });
  }
  return out;
}

function armByNameOrNull(name: string): StudyArm | null {
  return STUDY_ARMS.find((a) => a.name === name) ?? null;
}

export interface StudyResult {
  settings: StudySettings;
  results: ArmResult[];
  claims: ClaimResult[];
  robustnessConfigs: string[];
  imageConfigs: string[];
  dir: string;
  seconds: number;
  /** Trials of the protocol, and those without a result (offline: not run). */
  trials: { total: number; pending: number };
  /** Where the seconds per G step came from (claim 7). */
  timing?: string;
  /** Where the image numbers came from (relative path), if any, and what it held. */
  fashion?: { file: string; note: string };
  /** The 2-D preset trained by a PyTorch replica (bench/torch_toy.py), if given. */
  torch?: TorchReplica;
}

/** Per-seed outcomes of bench/torch_toy.py, keyed "<arm>/<dataset>"; `file` relative. */
export interface TorchReplica {
  file: string;
  arms: Record<string, { arm: string; data: string; modes: number[]; hq: number[] }>;
}
