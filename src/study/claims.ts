/**
 * The claims made for the Wasserstein loss and how a verdict follows from the measured numbers
 * (a pure function, tested on its own); the study (wasserstein.ts) measures, the report
 * (report.ts) shows.
 *
 * Every number a verdict uses carries a bootstrap 95 % interval (stats.ts): seeds are resampled
 * per arm, the random configurations of the robustness experiment are resampled in pairs (the
 * same configuration under each loss). A comparison "holds" only when its interval excludes the
 * baseline, "does not hold" only when it excludes the claim (an interval of exactly 0 — two arms
 * that never differ, e.g. both always cover every mode — excludes "better"), and is inconclusive
 * otherwise. A claim made of several comparisons (each critic, each dataset, each measure) holds
 * when all hold, does not hold when all do not, is mixed when some hold and some do not, and is
 * inconclusive otherwise. "Prevents mode collapse" is universal: one critic run that lost a mode
 * refutes it for that critic and dataset, whatever the interval.
 *
 * The baseline is the standard GAN: the better of ns and minimax on each measure, chosen inside
 * every bootstrap resample (so the choice's own luck is in the interval); each claim is
 * also weighed against the spectral-normalised arms (the better of ns + SN and hinge + SN), the
 * modern alternative to a Wasserstein critic.
 */
import type { MetricColumns } from '../runfolder/metrics.js';
import type { GradientCurve } from './gradients.js';
import { bootstrap, decide, difference, fmtInterval, mean, median, quantile, sd } from './stats.js';
import type { Interval, Outcome } from './stats.js';

/** One row of the study: a loss under a setting (its λ, spectral norm). */
export interface StudyArm {
  name: string;
  loss: string;
  /** Config overrides beyond the loss (e.g. { model: { sn: true } }, { hyper: { lambda: 10 } }). */
  overrides: Record<string, unknown>;
  role: 'critic' | 'standard' | 'sn' | 'other';
  label: string;
  /** A λ-sweep row: in the modes experiment only (not the robustness one, not a verdict's arm). */
  sweep?: boolean;
}

export const STUDY_ARMS: StudyArm[] = [
  { name: 'ns', loss: 'ns', overrides: {}, role: 'standard', label: 'standard GAN, non-saturating G loss' },
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

export interface StudySettings {
  seeds: number;
  steps: number;
  /** Random configurations per loss, the first being the 2-D preset itself (as compare_gan). */
  robustnessConfigs: number;
  robustnessSteps: number;
  gradientSteps: number;
  gradientSeeds: number;
  /** G steps of each arm's ring8 preset timed back to back in the study's process (seconds per step). */
  timingSteps: number;
  arms: string[];
}

export function studySettings(quick: boolean, seeds?: number): StudySettings {
  const arms = STUDY_ARMS.map((a) => a.name);
  return quick
    ? { seeds: seeds ?? 2, steps: 300, robustnessConfigs: 2, robustnessSteps: 300, gradientSteps: 400, gradientSeeds: 2, timingSteps: 40, arms }
    : { seeds: seeds ?? 5, steps: 2000, robustnessConfigs: 50, robustnessSteps: 1000, gradientSteps: 2000, gradientSeeds: 5, timingSteps: 400, arms };
}

/** One finished (or failed) run's final numbers; a failed run counts as the worst outcome. */
export interface RunOutcome {
  modes: number;
  totalModes: number;
  hq: number;
  /** Sliced W₁ to the data; +∞ for a run that diverged or did not finish. */
  sw: number;
  failed: boolean;
}

/** One Fashion-MNIST trial of the converged benchmark (npm run bench:fashion). */
export interface ImageTrial {
  seed: number;
  steps: number;
  fid: number;
  precision: number;
  recall: number;
  /** Generator steps and wall seconds until FID first fell to each threshold (+∞: never). */
  stepsTo: Record<string, number>;
  secondsTo: Record<string, number>;
  /** Trials running at once on the machine (wall seconds compare only at equal values). */
  concurrent: number;
}

/** Per-arm numbers the verdicts are drawn from. */
export interface ArmResult {
  arm: string;
  loss: string;
  role: StudyArm['role'];
  /** Per dataset, one outcome per seed. */
  runs: Record<string, RunOutcome[]>;
  /** Spearman ρ(loss estimate, sliced W) per run (both datasets). */
  rho: number[];
  /** ring8: steps and seconds until 8/8 modes at ≥ 50 % HQ, per seed (+∞: never). */
  stepsToTarget: number[];
  /**
   * Steps to the target × secondsPerStep: the trials' own wall clocks are not used, because a
   * study's trials may run in several sittings, under different loads, on several machines.
   */
  secondsToTarget: number[];
  /** Wall seconds per G step of the arm's ring8 preset, timed with every arm back to back in one process. */
  secondsPerStep: number;
  /** Robustness: per dataset, one outcome per random configuration (same order for every arm). */
  robust: Record<string, RunOutcome[]>;
  /** The gradient experiment, one curve per seed (absent for SN arms and sweep rows). */
  gradients?: GradientCurve[];
  /** Fashion-MNIST trials at the benchmark's budget, when given. */
  images?: ImageTrial[];
}

export type Verdict = 'holds' | 'does not hold' | 'mixed' | 'inconclusive' | 'not measured';

export interface ClaimVerdict {
  id: number;
  claim: string;
  experiment: string;
  numbers: string;
  /** Against the standard GAN. */
  verdict: Verdict;
  reason: string;
  /** The same comparisons against the spectral-normalised arms. */
  versusSn: Verdict;
  snReason: string;
}

/** The loss's own running estimate of how far apart the distributions are: −L_D without the penalty. */
export function lossEstimate(row: Partial<MetricColumns> & { dLoss: number }): number {
  return row.wassersteinEstimate ?? -(row.dLoss - (row.penalty ?? 0));
}

/** A configuration is "near the best" when its sliced W₁ is within this factor of the best configuration of any loss on that dataset. */
export const NEAR_BEST = 1.5;
/** Image FID thresholds for the efficiency claim. */
export const FID_THRESHOLDS = [40, 30];

/** A comparison: a name, its interval, its outcome. */
interface Test {
  what: string;
  iv: Interval;
  outcome: Outcome;
  /** Words for an infinite point estimate of a time to a threshold (which side never got there). */
  gloss?: string;
}

/**
 * A time-to-threshold difference is ±∞ (or ∞ − ∞ = 0) when a median run never reached the
 * threshold: say which side, so that "−∞" reads as what it measured.
 */
export function reachedGloss(arm: string, armMedian: number, baseMedian: number): string {
  const armNever = !Number.isFinite(armMedian);
  const baseNever = !Number.isFinite(baseMedian);
  if (armNever && baseNever) return `neither ${arm}'s median run nor the baseline's reaches it`;
  if (armNever) return `${arm}'s median run never reaches it`;
  if (baseNever) return `the baseline's median run never reaches it`;
  return '';
}

/** The claim's verdict from its comparisons (see the header). */
export function combine(outcomes: Outcome[]): Verdict {
  if (!outcomes.length) return 'not measured';
  const has = (o: Outcome) => outcomes.includes(o);
  if (outcomes.every((o) => o === 'holds')) return 'holds';
  if (outcomes.every((o) => o === 'does not hold')) return 'does not hold';
  if (has('holds') && has('does not hold')) return 'mixed';
  return 'inconclusive';
}

const ratio = (g: GradientCurve) => g.gGradAtFake / Math.max(g.dGradAtFake, 1e-30);
const allModes = (r: RunOutcome) => (r.modes === r.totalModes ? 1 : 0);
const failedOrCollapsed = (r: RunOutcome) => (r.failed || r.modes <= r.totalModes / 4 ? 1 : 0);

/** The claims, their experiments and verdicts from the measured numbers. */
export function verdicts(results: ArmResult[]): ClaimVerdict[] {
  const main = results.filter((r) => !STUDY_ARMS.find((a) => a.name === r.arm)?.sweep);
  const critics = main.filter((r) => r.role === 'critic');
  const standard = main.filter((r) => r.role === 'standard');
  const sn = main.filter((r) => r.role === 'sn');
  const datasets = Object.keys(main[0]?.runs ?? {});
  const out: ClaimVerdict[] = [];

  /**
   * critic − baseline (or baseline − critic where lower is better) for each critic, with the
   * baseline the best of `base` by point estimate. `values(arm)` gives one group per arm.
   */
  const compare = (what: string, base: ArmResult[], values: (r: ArmResult) => number[] | undefined, stat: (xs: number[]) => number, higherIsBetter: boolean, paired = false, reached = false): Test[] => {
    const withValues = base.filter((b) => (values(b) ?? []).length);
    if (!withValues.length) return [];
    const pickBest = (xs: number[]) => (higherIsBetter ? Math.max(...xs) : Math.min(...xs));
    const names = withValues.map((b) => b.arm).join('/');
    return critics
      .filter((c) => (values(c) ?? []).length)
      // Times to a threshold: where no run of either side got there, nothing was measured.
      .filter((c) => !reached || [values(c)!, ...withValues.map((b) => values(b)!)].flat().some(Number.isFinite))
      .map((c) => {
        // The baseline is the better standard arm in each resample; groups: [critic, ...baselines].
        const iv = bootstrap([values(c)!, ...withValues.map((b) => values(b)!)], ([x, ...ys]) => {
          const b = pickBest(ys.map(stat));
          return higherIsBetter ? difference(stat(x), b) : difference(b, stat(x));
        }, { paired });
        return { what: `${c.arm} vs best of ${names}: ${what}`, iv, outcome: decide(iv), gloss: reached ? reachedGloss(c.arm, stat(values(c)!), pickBest(withValues.map((b) => stat(values(b)!)))) : '' };
      });
  };
  const armNumbers = (rs: ArmResult[], values: (r: ArmResult) => number[] | undefined, stat: (xs: number[]) => number, digits = 2) =>
    rs.filter((r) => (values(r) ?? []).length).map((r) => `${r.arm} ${fmtInterval(bootstrap([values(r)!], ([x]) => stat(x)), digits)}`).join('; ');
  const testText = (ts: Test[], digits = 2) => ts.map((t) => `${t.what} ${fmtInterval(t.iv, digits)}${t.gloss ? ` (${t.gloss})` : ''} → ${t.outcome}`).join('; ');
  const add = (id: number, claim: string, experiment: string, numbers: string, build: (base: ArmResult[]) => Test[], extra?: (v: Verdict, ts: Test[]) => { verdict: Verdict; note: string }) => {
    const vs = build(standard);
    const vsSn = build(sn);
    let verdict = combine(vs.map((t) => t.outcome));
    let note = '';
    if (extra) ({ verdict, note } = extra(verdict, vs));
    out.push({
      id,
      claim,
      experiment,
      numbers,
      verdict,
      reason: (vs.length ? testText(vs) : 'no comparison measured') + note,
      versusSn: sn.length ? combine(vsSn.map((t) => t.outcome)) : 'not measured',
      snReason: vsSn.length ? testText(vsSn) : 'no spectral-norm arm measured',
    });
  };
  const runsOf = (d: string, f: (r: RunOutcome) => number) => (r: ArmResult) => r.runs[d]?.map(f);

  // (1) the critic does not overpower G, and (8) stability
  const spreadTests = (base: ArmResult[]) =>
    datasets.flatMap((d) => [
      ...compare(`${d} sd of final HQ across seeds (lower is better)`, base, runsOf(d, (r) => r.hq), sd, false),
      ...compare(`${d} share of runs diverged or collapsed (lower is better)`, base, runsOf(d, failedOrCollapsed), mean, false),
    ]);
  const stabNumbers = datasets
    .map((d) => `${d}: sd of final HQ ${armNumbers(main, runsOf(d, (r) => r.hq), sd)} — diverged or collapsed ${armNumbers(main, runsOf(d, failedOrCollapsed), mean)}`)
    .join(' — ');
  const gradTests = (base: ArmResult[]): Test[] =>
    base === standard
      ? critics
          .filter((c) => c.gradients?.length)
          .map((c) => {
            const iv = bootstrap([c.gradients!.map(ratio)], ([x]) => mean(x));
            return { what: `${c.arm}: share of D's slope that reaches G at an optimal critic, above 0.5`, iv, outcome: decide(iv, 0.5) };
          })
      : [];
  add(1, 'stabilises training by keeping the critic from overpowering the generator', 'gradients at an optimal critic + spread and failures of full runs (ring8, grid25)', stabNumbers, (base) => [...gradTests(base), ...spreadTests(base)]);
  add(8, 'improves stability', 'spread across seeds of the final HQ share, and the share of runs diverged or collapsed (ring8, grid25)', stabNumbers, spreadTests);

  // (2) prevents mode collapse: one run that lost a mode refutes it.
  const modeNumbers = datasets.map((d) => `${d} mean modes covered: ${armNumbers(main, runsOf(d, (r) => r.modes), mean)} of ${main[0]?.runs[d]?.[0]?.totalModes ?? '?'}`).join(' — ');
  add(2, 'prevents mode collapse', 'share of runs (seeds) that cover every mode on ring8 and grid25', modeNumbers, (base) =>
    datasets.flatMap((d) =>
      critics.map((c): Test => {
        const lost = (c.runs[d] ?? []).filter((r) => !allModes(r)).length;
        const iv = bootstrap([runsOf(d, allModes)(c) ?? []], ([x]) => mean(x));
        if (lost > 0) return { what: `${c.arm} ${d}: ${lost} of ${c.runs[d].length} runs lost a mode (share covering all)`, iv, outcome: 'does not hold' };
        const [t] = compare(`${d} share of runs covering every mode`, base, runsOf(d, allModes), mean, true).filter((x) => x.what.startsWith(`${c.arm} vs `));
        return t ?? { what: `${c.arm} ${d}`, iv, outcome: 'inconclusive' };
      }),
    ),
  );

  // (3) gradients
  const gradNumbers = main
    .filter((r) => r.gradients?.length)
    .map((r) => `${r.arm} |∂L_G/∂x| ${fmtInterval(bootstrap([r.gradients!.map((g) => g.gGradAtFake)], ([x]) => mean(x)), 3)}, share of D's slope reaching G ${fmtInterval(bootstrap([r.gradients!.map(ratio)], ([x]) => mean(x)), 3)}`)
    .join('; ');
  add(3, 'gives better, non-vanishing gradients', "WGAN Fig. 2: D trained alone against a fixed generator on two separated 1-D Gaussians, per seed", gradNumbers, (base) => {
    if (base !== standard) return [];
    const minimax = standard.find((r) => r.loss === 'minimax' && r.gradients?.length);
    const tests = gradTests(base);
    if (minimax) {
      // The claim's premise: the saturating GAN's gradient vanishes (its share below 0.01).
      const iv = bootstrap([minimax.gradients!.map(ratio)], ([x]) => mean(x));
      tests.unshift({ what: `minimax: share of D's slope reaching G, below 0.01`, iv, outcome: decide(iv, 1e-2, 'below') });
    }
    return tests;
  }, (verdict, tests) => {
    // The claim is a contrast: without a vanishing saturating gradient there is nothing to be better than.
    if (tests[0]?.what.startsWith('minimax') && tests[0].outcome === 'does not hold') return { verdict: 'does not hold', note: "; the saturating GAN's gradient does not vanish here, so there is no vanishing gradient for the critics to fix" };
    const ns = standard.find((r) => r.loss === 'ns' && r.gradients?.length);
    if (verdict === 'holds' && ns && decide(bootstrap([ns.gradients!.map(ratio)], ([x]) => mean(x)), 0.5) === 'holds') {
      return { verdict: 'mixed', note: "; but the non-saturating GAN's gradient does not vanish either (its share of D's slope is above 0.5), so the fix is the G loss, not the Wasserstein distance" };
    }
    return { verdict, note: '' };
  });

  // (4) robustness (Lucic et al.): distributions over random configurations, paired.
  const nearBest = (d: string) => {
    const best = Math.min(...main.flatMap((r) => (r.robust[d] ?? []).map((x) => x.sw)));
    return (r: ArmResult) => r.robust[d]?.map((x) => (x.sw <= NEAR_BEST * best ? 1 : 0));
  };
  const robustNumbers = datasets
    .map((d) => {
      const sw = (r: ArmResult) => r.robust[d]?.map((x) => x.sw);
      return `${d}: median sliced W₁ over configurations ${armNumbers(main, sw, median, 3)} — share within ${NEAR_BEST}× the best configuration ${armNumbers(main, nearBest(d), mean)}`;
    })
    .join(' — ');
  add(4, 'is robust to architecture and hyper-parameter choices', "random configurations per loss (compare_gan's wide space, Lucic et al. 2018) on ring8 and grid25", robustNumbers, (base) =>
    datasets.flatMap((d) => [
      ...compare(`${d} share of configurations within ${NEAR_BEST}× the best`, base, nearBest(d), mean, true, true),
      ...compare(`${d} median sliced W₁ over configurations (lower is better)`, base, (r) => r.robust[d]?.map((x) => x.sw), median, false, true),
    ]),
  );

  // (5) image quality
  const img = (f: (t: ImageTrial) => number) => (r: ArmResult) => r.images?.map(f);
  const imageArms = main.filter((r) => r.images?.length);
  const imgNumbers = imageArms.length
    ? `Fashion-MNIST at ${imageArms[0].images![0].steps} G steps, FID (mean over seeds): ${armNumbers(imageArms, img((t) => t.fid), mean, 1)}; precision ${armNumbers(imageArms, img((t) => t.precision), mean)}; recall ${armNumbers(imageArms, img((t) => t.recall), mean)}`
    : '';
  if (critics.some((c) => c.images?.length) && standard.some((s) => s.images?.length)) {
    add(5, 'improves image quality', 'Fashion-MNIST FID at an equal generator-step budget (npm run bench:fashion, dcgan28, 3 seeds where run)', imgNumbers, (base) => compare('FID (lower is better)', base, img((t) => t.fid), mean, false));
  } else {
    out.push({ id: 5, claim: 'improves image quality', experiment: 'Fashion-MNIST FID (npm run bench:fashion, then --fashion)', numbers: '', verdict: 'not measured', reason: 'no Fashion-MNIST trials were given', versusSn: 'not measured', snReason: '' });
  }

  // (6) reduces mode collapse
  add(6, 'reduces mode collapse', 'mean modes covered at the end, per seed', modeNumbers, (base) => datasets.flatMap((d) => compare(`${d} mean modes covered`, base, runsOf(d, (r) => r.modes), mean, true)));

  // (7) efficiency. Wall seconds compare only between image trials run under the same load.
  const loads = new Set(main.flatMap((r) => (r.images ?? []).map((t) => t.concurrent)));
  const load = loads.size === 1 ? [...loads][0] : 1;
  const sameLoad = (r: ArmResult | undefined) => Boolean(r) && (r!.images ?? []).every((t) => t.concurrent === load);
  const armOf = (t: Test) => main.find((r) => t.what.startsWith(`${r.arm} vs `));
  const effNumbers = [
    `ring8 to 8/8 modes at ≥ 50 % HQ, median G steps ${armNumbers(main, (r) => r.stepsToTarget, median, 0)}; median seconds ${armNumbers(main, (r) => r.secondsToTarget, median, 1)}`,
    ...(imageArms.length ? FID_THRESHOLDS.map((t) => `Fashion-MNIST to FID ≤ ${t}, median G steps ${armNumbers(imageArms, img((x) => x.stepsTo[t]), median, 0)}; median seconds ${armNumbers(imageArms, img((x) => x.secondsTo[t]), median, 0)}`) : []),
  ].join(' — ');
  add(7, 'makes training more efficient (fewer iterations)', 'generator steps and wall seconds until a quality threshold (never: ∞)', effNumbers, (base) => [
    ...compare('ring8 G steps to the target (lower is better)', base, (r) => r.stepsToTarget, median, false, false, true),
    ...compare('ring8 seconds to the target (lower is better)', base, (r) => r.secondsToTarget, median, false, false, true),
    ...FID_THRESHOLDS.flatMap((t) => [
      ...compare(`Fashion-MNIST G steps to FID ≤ ${t} (lower is better)`, base, img((x) => x.stepsTo[t]), median, false, false, true),
      ...compare(`Fashion-MNIST seconds to FID ≤ ${t} (lower is better)`, base.filter(sameLoad), img((x) => x.secondsTo[t]), median, false, false, true).filter((x) => sameLoad(armOf(x))),
    ]),
  ]);

  // (9) meaningful loss
  add(9, 'gives a critic whose scores track sample quality (a meaningful loss)', 'Spearman ρ over training between −L_D and the sliced W₁ to the data, per run', `median ρ: ${armNumbers(main, (r) => r.rho.filter(Number.isFinite), median)}`, (base) =>
    compare('median ρ(−L_D, sliced W₁)', base, (r) => r.rho.filter(Number.isFinite), median, true),
  );

  // (10) improves the generator
  const genNumbers = [
    ...datasets.map((d) => `${d} final HQ share ${armNumbers(main, runsOf(d, (r) => r.hq), mean)}; median sliced W₁ ${armNumbers(main, runsOf(d, (r) => r.sw), median, 3)}`),
    ...(imageArms.length ? [`Fashion-MNIST precision ${armNumbers(imageArms, img((t) => t.precision), mean)}; recall ${armNumbers(imageArms, img((t) => t.recall), mean)}`] : []),
  ].join(' — ');
  add(10, 'improves the generator', 'final sample quality: HQ share and sliced W₁ on ring8/grid25; precision and recall on Fashion-MNIST', genNumbers, (base) => [
    ...datasets.flatMap((d) => [...compare(`${d} final HQ share`, base, runsOf(d, (r) => r.hq), mean, true), ...compare(`${d} median sliced W₁ (lower is better)`, base, runsOf(d, (r) => r.sw), median, false)]),
    ...compare('Fashion-MNIST precision', base, img((t) => t.precision), mean, true),
    ...compare('Fashion-MNIST recall', base, img((t) => t.recall), mean, true),
  ]);

  return out.sort((a, b) => a.id - b.id);
}

/** Quartiles of a distribution (+∞ for failed runs), for the robustness table. */
export function quartiles(xs: number[]): { best: number; q1: number; median: number; q3: number } {
  return { best: Math.min(...xs), q1: quantile(xs, 0.25), median: quantile(xs, 0.5), q3: quantile(xs, 0.75) };
}

export interface StudyResult {
  settings: StudySettings;
  quick: boolean;
  results: ArmResult[];
  verdicts: ClaimVerdict[];
  robustnessConfigs: string[];
  dir: string;
  seconds: number;
  /** Where the image numbers came from (relative path), if any. */
  fashion?: string;
  /** The 2-D preset trained by a PyTorch replica (bench/torch_toy.py), if given. */
  torch?: TorchReplica;
}

/** Per-seed outcomes of bench/torch_toy.py, keyed "<arm>/<dataset>"; `file` relative. */
export interface TorchReplica {
  file: string;
  arms: Record<string, { arm: string; data: string; modes: number[]; hq: number[] }>;
}
