/**
 * The claims made for the Wasserstein loss and how a verdict follows from the measured numbers
 * (a pure function, tested on its own); the study (wasserstein.ts) measures, the report
 * (report.ts) shows.
 */
import type { MetricColumns } from '../runfolder/metrics.js';
import type { GradientCurve } from './gradients.js';
import { mean, sd, median } from './stats.js';

export const STUDY_LOSSES = ['ns', 'minimax', 'wgan', 'wgan-gp', 'lsgan', 'dragan', 'hinge'] as const;
export const CRITIC_LOSSES = ['wgan', 'wgan-gp'];
export const JS_LOSSES = ['ns', 'minimax'];

export interface StudySettings {
  seeds: number;
  steps: number;
  robustnessConfigs: number;
  robustnessSteps: number;
  gradientSteps: number;
  losses: string[];
}

export function studySettings(quick: boolean, seeds?: number): StudySettings {
  return quick
    ? { seeds: seeds ?? 2, steps: 300, robustnessConfigs: 2, robustnessSteps: 300, gradientSteps: 400, losses: [...STUDY_LOSSES] }
    : { seeds: seeds ?? 5, steps: 2000, robustnessConfigs: 8, robustnessSteps: 1000, gradientSteps: 2000, losses: [...STUDY_LOSSES] };
}

/** Per-loss numbers the verdicts are drawn from. */
export interface LossResult {
  loss: string;
  /** Final modes covered / HQ share per seed, per dataset. */
  modes: Record<string, number[]>;
  totalModes: Record<string, number>;
  hq: Record<string, number[]>;
  sw: Record<string, number[]>;
  /** Spearman ρ(loss estimate, sliced W) per run (ring8 and grid25 runs together). */
  rho: number[];
  /** Share of runs diverged, and of runs collapsed (≤ 1/4 of the modes at the end). */
  diverged: number;
  collapsed: number;
  /** Steps and seconds until ring8 reached 8/8 modes at ≥ 50 % HQ (null: never). */
  stepsToTarget: Array<number | null>;
  secondsToTarget: Array<number | null>;
  /** Robustness: successes over random configurations. */
  robustSuccess: number;
  robustTotal: number;
  gradient?: GradientCurve;
  /** Fashion-MNIST at equal budget, when available. */
  fid?: number;
  precision?: number;
  recall?: number;
}

export type Verdict = 'holds' | 'does not hold' | 'mixed' | 'not measured';

export interface ClaimVerdict {
  id: number;
  claim: string;
  experiment: string;
  numbers: string;
  verdict: Verdict;
  reason: string;
}

/** The loss's own running estimate of how far apart the distributions are: −L_D without the penalty. */
export function lossEstimate(row: Partial<MetricColumns> & { dLoss: number }): number {
  return row.wassersteinEstimate ?? -(row.dLoss - (row.penalty ?? 0));
}

/** The claims, their experiments and verdicts from the measured numbers. */
export function verdicts(results: LossResult[]): ClaimVerdict[] {
  const by = (l: string) => results.find((r) => r.loss === l);
  const critics = CRITIC_LOSSES.map(by).filter((r): r is LossResult => Boolean(r));
  const js = JS_LOSSES.map(by).filter((r): r is LossResult => Boolean(r));
  const datasets = Object.keys(results[0]?.modes ?? {});
  const avg = (r: LossResult, key: 'modes' | 'hq' | 'sw', data: string) => mean(r[key][data] ?? []);
  const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : 'n/a');
  const list = (rs: LossResult[], f: (r: LossResult) => string) => rs.map((r) => `${r.loss} ${f(r)}`).join('; ');
  const out: ClaimVerdict[] = [];
  const add = (id: number, claim: string, experiment: string, numbers: string, verdict: Verdict, reason: string) => out.push({ id, claim, experiment, numbers, verdict, reason });

  // (3) gradients
  const grad = (r?: LossResult) => r?.gradient;
  const minimax = grad(by('minimax'));
  const critGrads = critics.map((r) => r.gradient).filter((g): g is GradientCurve => Boolean(g));
  if (minimax && critGrads.length) {
    const ratio = (g: GradientCurve) => g.gGradAtFake / Math.max(g.dGradAtFake, 1e-30);
    const vanishes = ratio(minimax) < 1e-2;
    const criticsPass = critGrads.every((g) => ratio(g) > 0.5);
    const tiny = critGrads.filter((g) => g.gGradAtFake < 1e-2).map((g) => g.loss);
    const nsG = grad(by('ns'));
    const numbers = `|∂L_G/∂x| at generated samples: ${results.filter((r) => r.gradient).map((r) => `${r.loss} ${r.gradient!.gGradAtFake.toExponential(1)}`).join(', ')}; share of D's slope that reaches G (|∂L_G/∂x| / |∂D/∂x|): ${results.filter((r) => r.gradient).map((r) => `${r.loss} ${ratio(r.gradient!).toExponential(1)}`).join(', ')}`;
    let verdict: Verdict = vanishes && criticsPass ? 'holds' : 'does not hold';
    let reason = vanishes ? "the saturating GAN's generator gradient vanishes where the critics' does not" : "the saturating GAN's gradient does not vanish here";
    if (verdict === 'holds' && (tiny.length || (nsG && ratio(nsG) > 0.5))) {
      verdict = 'mixed';
      reason += `; but the non-saturating GAN's gradient does not vanish either${tiny.length ? `, and ${tiny.join(', ')}'s raw gradient is tiny because weight clipping bounds the critic's scale` : ''}`;
    }
    add(3, 'gives better, non-vanishing gradients', 'WGAN Fig. 2: D trained alone against a fixed generator on two separated Gaussians', numbers, verdict, reason);
  } else {
    add(3, 'gives better, non-vanishing gradients', 'gradients', '', 'not measured', 'the gradient experiment did not run');
  }

  // (2) prevents and (6) reduces mode collapse
  const modeNumbers = datasets.map((d) => `${d}: ${list(results, (r) => `${f2(avg(r, 'modes', d))}/${r.totalModes[d]}`)}`).join(' — ');
  const allModesEverySeed = critics.length > 0 && critics.every((r) => datasets.every((d) => (r.modes[d] ?? []).every((m) => m === r.totalModes[d])));
  add(2, 'prevents mode collapse', 'modes covered on ring8/grid25, every seed', modeNumbers, allModesEverySeed ? 'holds' : 'does not hold',
    allModesEverySeed ? 'every critic run covered every mode' : `not every ${CRITIC_LOSSES.join('/')} run covered every mode (${critics.map((r) => datasets.map((d) => `${r.loss} ${d} min ${Math.min(...(r.modes[d] ?? [NaN]))}/${r.totalModes[d]}`).join(', ')).join('; ')})`);
  const reduces = datasets.map((d) => {
    const bestJs = Math.max(...js.map((r) => avg(r, 'modes', d)));
    return critics.map((r) => avg(r, 'modes', d) > bestJs + 0.5 * Math.max(sd(r.modes[d] ?? []), 0.1));
  });
  const flat = reduces.flat();
  add(6, 'reduces mode collapse', 'mean modes covered vs the standard GAN (ns, minimax)', modeNumbers,
    flat.length && flat.every(Boolean) ? 'holds' : flat.some(Boolean) ? 'mixed' : 'does not hold',
    flat.every(Boolean) ? 'both critics cover more modes than the best JS-style loss on both datasets' : flat.some(Boolean) ? 'more modes in some (loss, dataset) pairs, not in others' : 'the critics do not cover more modes than the standard GAN');

  // (9) meaningful loss
  const rhoOf = (r: LossResult) => median(r.rho.filter(Number.isFinite));
  const rhoNumbers = `median Spearman ρ(−L_D, sliced W₁ to data) over training: ${list(results, (r) => f2(rhoOf(r)))}`;
  const criticTracks = critics.length > 0 && critics.every((r) => rhoOf(r) > 0.6);
  const jsTracks = js.some((r) => rhoOf(r) > 0.6);
  add(9, 'gives a critic whose scores track sample quality (a meaningful loss)', 'correlation over training between the loss estimate and a quality measure', rhoNumbers,
    criticTracks && !jsTracks ? 'holds' : criticTracks ? 'mixed' : critics.some((r) => rhoOf(r) > 0.6) ? 'mixed' : 'does not hold',
    criticTracks ? (jsTracks ? 'the critic estimate tracks quality, but so does a JS-style loss' : 'the critic estimate falls with the distance to the data; the JS-style losses do not') : 'at least one critic estimate does not track the distance to the data');

  // (4) robustness
  const rate = (r: LossResult) => (r.robustTotal ? r.robustSuccess / r.robustTotal : NaN);
  const robustNumbers = `success over random architectures/hyper-parameters: ${list(results, (r) => `${r.robustSuccess}/${r.robustTotal}`)}`;
  const bestJsRate = Math.max(...js.map(rate));
  const criticRates = critics.map(rate);
  add(4, 'is robust to architecture and hyper-parameter choices', 'random configurations on ring8 (WGAN-GP paper Table 2 style)', robustNumbers,
    criticRates.every((x) => x > bestJsRate) ? 'holds' : criticRates.some((x) => x > bestJsRate) ? 'mixed' : 'does not hold',
    criticRates.every((x) => x > bestJsRate) ? 'both critics succeed more often than the standard GAN' : criticRates.some((x) => x > bestJsRate) ? 'one critic succeeds more often, the other does not' : 'the critics do not succeed more often than the standard GAN');

  // (8) stability and (1) the critic does not overpower G
  const spread = (r: LossResult) => mean(datasets.map((d) => sd(r.hq[d] ?? [])));
  const stabNumbers = `sd of final HQ share across seeds (mean over datasets): ${list(results, (r) => f2(spread(r)))}; diverged: ${list(results, (r) => pct(r.diverged))}; collapsed: ${list(results, (r) => pct(r.collapsed))}`;
  const bad = (r: LossResult) => r.diverged + r.collapsed;
  const minJsBad = Math.min(...js.map(bad));
  const minJsSpread = Math.min(...js.map(spread));
  const stable = critics.every((r) => bad(r) <= minJsBad && spread(r) <= minJsSpread);
  const partly = critics.some((r) => bad(r) <= minJsBad || spread(r) <= minJsSpread);
  add(8, 'improves stability', 'spread across seeds, divergence and collapse', stabNumbers, stable ? 'holds' : partly ? 'mixed' : 'does not hold',
    stable ? 'the critics fail no more often and vary less across seeds than the standard GAN' : partly ? 'better on one measure or for one critic only' : 'the critics vary more or fail more often');
  const g1 = critGrads.length > 0 && critGrads.every((g) => g.gGradAtFake / Math.max(g.dGradAtFake, 1e-30) > 0.5);
  add(1, 'stabilises training by keeping the critic from overpowering the generator', 'gradients at an optimal critic + failure rate of full runs', `${stabNumbers}`,
    g1 && stable ? 'holds' : g1 || partly ? 'mixed' : 'does not hold',
    `${g1 ? 'an optimal critic still passes its slope to G' : 'an optimal critic does not pass a usable gradient to G'}; ${stable ? 'and the runs fail less' : 'but the full runs do not fail less on every measure'}`);

  // (7) efficiency
  const stepsMed = (r: LossResult) => median(r.stepsToTarget.filter((s): s is number => s !== null));
  const reached = (r: LossResult) => r.stepsToTarget.filter((s) => s !== null).length;
  const secMed = (r: LossResult) => median(r.secondsToTarget.filter((s): s is number => s !== null));
  const effNumbers = `ring8 to 8/8 modes at ≥ 50 % HQ — runs that got there, median steps, median seconds: ${list(results, (r) => `${reached(r)}/${r.stepsToTarget.length}, ${Number.isFinite(stepsMed(r)) ? stepsMed(r) : '–'} steps, ${Number.isFinite(secMed(r)) ? secMed(r).toFixed(1) : '–'} s`)}`;
  const jsBestSteps = Math.min(...js.map(stepsMed).filter(Number.isFinite));
  const jsBestSec = Math.min(...js.map(secMed).filter(Number.isFinite));
  const fewerSteps = critics.filter((r) => stepsMed(r) < jsBestSteps);
  const fewerSeconds = critics.filter((r) => secMed(r) < jsBestSec);
  add(7, 'makes training more efficient (fewer iterations)', 'generator steps and wall seconds until a quality threshold', effNumbers,
    fewerSteps.length === critics.length && fewerSeconds.length === critics.length ? 'holds' : fewerSteps.length || fewerSeconds.length ? 'mixed' : 'does not hold',
    `${fewerSteps.length ? `${fewerSteps.map((r) => r.loss).join(', ')} reach it in fewer generator steps` : 'no critic reaches it in fewer generator steps'}; ${fewerSeconds.length ? `${fewerSeconds.map((r) => r.loss).join(', ')} in fewer seconds` : 'none in fewer seconds (n_critic = 5 D steps per G step)'}`);

  // (10) improves the generator
  const better = datasets.map((d) => critics.map((r) => avg(r, 'hq', d) > Math.max(...js.map((j) => avg(j, 'hq', d))) && avg(r, 'sw', d) < Math.min(...js.map((j) => avg(j, 'sw', d))))).flat();
  const genNumbers = datasets.map((d) => `${d} HQ %: ${list(results, (r) => (100 * avg(r, 'hq', d)).toFixed(1))}; sliced W₁: ${list(results, (r) => avg(r, 'sw', d).toFixed(3))}`).join(' — ');
  add(10, 'improves the generator', 'final sample quality on ring8/grid25 (HQ share and sliced W₁)', genNumbers,
    better.length && better.every(Boolean) ? 'holds' : better.some(Boolean) ? 'mixed' : 'does not hold',
    better.every(Boolean) ? 'both critics end with more high-quality samples and a smaller distance than the standard GAN' : better.some(Boolean) ? 'better in some (loss, dataset) pairs only' : 'the critics end no better than the standard GAN');

  // (5) image quality
  const imgs = results.filter((r) => r.fid !== undefined);
  if (imgs.length && critics.some((r) => r.fid !== undefined) && js.some((r) => r.fid !== undefined)) {
    const bestJsFid = Math.min(...js.filter((r) => r.fid !== undefined).map((r) => r.fid!));
    const withFid = critics.filter((r) => r.fid !== undefined);
    const wins = withFid.filter((r) => r.fid! < bestJsFid);
    add(5, 'improves image quality', 'Fashion-MNIST FID at an equal generator-step budget (npm run bench:fashion)', `FID: ${list(imgs, (r) => r.fid!.toFixed(1))}; precision/recall: ${list(imgs, (r) => `${f2(r.precision ?? NaN)}/${f2(r.recall ?? NaN)}`)}`,
      wins.length === withFid.length ? 'holds' : wins.length ? 'mixed' : 'does not hold',
      wins.length === withFid.length ? 'lower FID than the standard GAN at the same budget' : wins.length ? `only ${wins.map((r) => r.loss).join(', ')} beats the standard GAN's FID` : "no critic beats the standard GAN's FID at this budget");
  } else {
    add(5, 'improves image quality', 'Fashion-MNIST FID (npm run bench:fashion, then --fashion FILE)', '', 'not measured', 'no Fashion-MNIST results were given');
  }
  return out.sort((a, b) => a.id - b.id);
}

export interface StudyResult {
  settings: StudySettings;
  results: LossResult[];
  verdicts: ClaimVerdict[];
  robustnessConfigs: string[];
  dir: string;
  seconds: number;
}

