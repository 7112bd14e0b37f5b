/**
 * `gankit study wasserstein`: each claim made for the Wasserstein loss, measured, with a verdict.
 *
 * Experiments (all with gankit's own runs; every trial is a normal run folder made by a worker
 * process and indexed in DIR/runs.sqlite):
 *   gradients   — WGAN Fig. 2: D/critic trained alone on two separated Gaussians (gradients.ts)
 *   modes       — ring8 and grid25, every loss × seeds (the 2-D benchmark protocol)
 *   meaningful  — Spearman ρ over training between the loss's own estimate (−L_D, the critic's
 *                 Wasserstein estimate) and a quality measure (sliced Wasserstein to the data),
 *                 from the `modes` runs' logs
 *   robustness  — random architectures / hyper-parameters (depth, width, activation, lr, β1, layer
 *                 norm) on ring8; success = ≥ 6/8 modes with ≥ 50 % high-quality samples
 *   stability   — spread across seeds of the final quality; share of runs diverged or collapsed
 *   efficiency  — steps and seconds until ring8 reaches 8/8 modes with ≥ 50 % HQ
 *   images      — Fashion-MNIST FID/precision/recall at an equal budget, read from the
 *                 `npm run bench:fashion` results when given (--fashion FILE)
 * The verdict logic (`verdicts`) is a pure function of the measured numbers, tested on its own.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng } from '../engine/rng.js';
import { pool, runTrial } from './pool.js';
import { RunsDb } from './db.js';
import { gradientExperiment, GradientCurve } from './gradients.js';
import { mean, sd, median, spearman } from './stats.js';
import { writeStudyReport } from './report.js';

export const STUDY_LOSSES = ['ns', 'minimax', 'wgan', 'wgan-gp', 'lsgan', 'dragan', 'hinge'] as const;
export const CRITIC_LOSSES = ['wgan', 'wgan-gp'];
export const JS_LOSSES = ['ns', 'minimax'];

export interface StudyOptions {
  quick: boolean;
  jobs: number;
  out: string;
  seeds?: number;
  /** results.json of `npm run bench:fashion`, for the image row. */
  fashion?: string;
  log?: (line: string) => void;
  /** Replaces the settings (tests use a tiny study). */
  settings?: Partial<StudySettings>;
}

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

interface MetricsLine {
  step: number;
  elapsed: number;
  dLoss: number;
  penalty: number;
  wassersteinEstimate?: number;
  slicedWasserstein?: number;
  modesCovered?: number;
  highQualityShare?: number;
}

/** The loss's own running estimate of how far apart the distributions are: −L_D without the penalty. */
export function lossEstimate(row: MetricsLine): number {
  return row.wassersteinEstimate ?? -(row.dLoss - (row.penalty ?? 0));
}

function readMetrics(dir: string): MetricsLine[] {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as MetricsLine);
}

/** A random architecture / hyper-parameter draw (WGAN-GP paper Table 2 style, at 2-D scale). */
export function randomConfig(rng: Rng): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)];
  const depth = 1 + rng.int(4);
  const width = pick([32, 64, 128, 256]);
  const activation = pick(['relu', 'leakyRelu', 'tanh', 'elu'] as const);
  const layerNorm = rng.int(2) === 1;
  const lr = 10 ** (-4 + 2 * rng.next());
  const beta1 = pick([0, 0.5, 0.9]);
  const net = { depth, width, activation, layerNorm };
  return { model: { noiseDim: 2, generator: net, discriminator: net }, optimizerD: { lr, beta1 }, optimizerG: { lr, beta1 }, lrSchedule: 'constant' };
}

const describeConfig = (c: Record<string, unknown>) => {
  const m = (c.model as { generator: { depth: number; width: number; activation: string; layerNorm: boolean } }).generator;
  const o = c.optimizerD as { lr: number; beta1: number };
  return `${m.depth}×${m.width} ${m.activation}${m.layerNorm ? ' +LN' : ''}, lr ${o.lr.toExponential(1)}, β1 ${o.beta1}`;
};

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

/** Runs the study (or reuses finished trials in DIR), indexes every run, writes report.html/.md and results.json. */
export async function runWassersteinStudy(o: StudyOptions): Promise<StudyResult> {
  const started = Date.now();
  const settings = { ...studySettings(o.quick, o.seeds), ...o.settings };
  const dir = resolve(o.out);
  const log = o.log ?? (() => {});
  mkdirSync(join(dir, 'runs'), { recursive: true });
  const db = new RunsDb(join(dir, 'runs.sqlite'));
  const seeds = Array.from({ length: settings.seeds }, (_, i) => i + 1);
  const datasets = ['ring8', 'grid25'];

  interface Trial {
    experiment: string;
    loss: string;
    dir: string;
    args: string[];
    data: string;
    seed: number;
    config?: number;
  }
  const trials: Trial[] = [];
  for (const loss of settings.losses) {
    for (const data of datasets) {
      for (const seed of seeds) {
        trials.push({ experiment: 'modes', loss, data, seed, dir: join(dir, 'runs', `modes-${loss}-${data}-s${seed}`), args: ['--loss', loss, '--data', data, '--seed', String(seed), '--steps', String(settings.steps)] });
      }
    }
  }
  const configRng = new Rng(2017);
  const robustness = Array.from({ length: settings.robustnessConfigs }, () => randomConfig(configRng));
  robustness.forEach((cfg, i) => {
    const file = join(dir, 'runs', `robust-config-${i}.json`);
    writeFileSync(file, JSON.stringify(cfg, null, 2) + '\n');
    for (const loss of settings.losses) {
      trials.push({ experiment: 'robustness', loss, data: 'ring8', seed: 1, config: i, dir: join(dir, 'runs', `robust-${i}-${loss}`), args: ['--loss', loss, '--data', 'ring8', '--seed', '1', '--steps', String(settings.robustnessSteps), '--config', file] });
    }
  });
  // The slow critics first, so that the workers finish together.
  const cost = (t: Trial) => (t.loss === 'wgan-gp' ? 5 : t.loss === 'wgan' ? 4 : t.loss === 'dragan' ? 2 : 1);
  const order = [...trials].sort((a, b) => cost(b) - cost(a));
  let done = 0;
  const tag = { study: 'wasserstein' };
  await pool(order, o.jobs, async (t) => {
    try {
      await runTrial(t.dir, t.args, `${t.experiment} ${t.loss} ${t.data} seed ${t.seed}`);
    } catch (e) {
      log(`  ${(e as Error).message.split('\n')[0]}`);
    }
    // The tag goes in after the run (gankit train wants an empty folder), so a rebuild keeps it.
    if (existsSync(t.dir)) writeFileSync(join(t.dir, 'study.json'), JSON.stringify({ ...tag, experiment: t.experiment }) + '\n');
    db.index(t.dir, { ...tag, experiment: t.experiment });
    done++;
    log(`[${done}/${trials.length}] ${t.experiment} ${t.loss} ${t.data} seed ${t.seed}`);
  });

  log('gradients: training each D alone against a fixed generator');
  const gradients = new Map(settings.losses.map((l) => [l, gradientExperiment(l, { steps: settings.gradientSteps })] as const));

  let fashion: Array<{ loss: string; summary: { final: { fid: number; precision: number; recall: number } | null } }> = [];
  if (o.fashion) {
    try {
      fashion = JSON.parse(readFileSync(o.fashion, 'utf8')).losses ?? [];
    } catch (e) {
      log(`fashion results ${o.fashion}: not read (${(e as Error).message})`);
    }
  }

  const results: LossResult[] = settings.losses.map((loss) => {
    const r: LossResult = { loss, modes: {}, totalModes: {}, hq: {}, sw: {}, rho: [], diverged: 0, collapsed: 0, stepsToTarget: [], secondsToTarget: [], robustSuccess: 0, robustTotal: 0, gradient: gradients.get(loss) };
    const runs = trials.filter((t) => t.loss === loss && t.experiment === 'modes');
    let diverged = 0;
    let collapsed = 0;
    for (const t of runs) {
      const row = db.get(t.dir);
      const final = row?.final as { modesCovered?: number; totalModes?: number; highQualityShare?: number; slicedWasserstein?: number } | null;
      if (row?.status === 'diverged' || row?.status === 'incomplete' || !final) {
        diverged++;
        continue;
      }
      (r.modes[t.data] ??= []).push(final.modesCovered ?? 0);
      r.totalModes[t.data] = final.totalModes ?? 0;
      (r.hq[t.data] ??= []).push(final.highQualityShare ?? 0);
      (r.sw[t.data] ??= []).push(final.slicedWasserstein ?? NaN);
      if ((final.modesCovered ?? 0) <= (final.totalModes ?? 0) / 4) collapsed++;
      const lines = readMetrics(t.dir).filter((l) => typeof l.slicedWasserstein === 'number');
      r.rho.push(spearman(lines.map(lossEstimate), lines.map((l) => l.slicedWasserstein!)));
      if (t.data === 'ring8') {
        const hit = lines.find((l) => l.modesCovered === 8 && (l.highQualityShare ?? 0) >= 0.5);
        r.stepsToTarget.push(hit ? hit.step : null);
        r.secondsToTarget.push(hit ? hit.elapsed : null);
      }
    }
    r.diverged = runs.length ? diverged / runs.length : 0;
    r.collapsed = runs.length ? collapsed / runs.length : 0;
    for (const t of trials.filter((x) => x.loss === loss && x.experiment === 'robustness')) {
      const final = db.get(t.dir)?.final as { modesCovered?: number; highQualityShare?: number } | null;
      r.robustTotal++;
      if (final && (final.modesCovered ?? 0) >= 6 && (final.highQualityShare ?? 0) >= 0.5) r.robustSuccess++;
    }
    const img = fashion.find((f) => f.loss === loss)?.summary.final;
    if (img) Object.assign(r, { fid: img.fid, precision: img.precision, recall: img.recall });
    return r;
  });
  const claims = verdicts(results);
  const result: StudyResult = { settings, results, verdicts: claims, robustnessConfigs: robustness.map(describeConfig), dir, seconds: (Date.now() - started) / 1000 };
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...result, results: results.map((r) => ({ ...r, gradient: r.gradient ? { ...r.gradient, xs: undefined, d: undefined, dGrad: undefined, gGrad: undefined } : undefined })) }, null, 2) + '\n');
  writeStudyReport(result, trials.filter((t) => t.experiment === 'modes' && t.seed === 1 && t.data === 'ring8').map((t) => ({ loss: t.loss, metrics: readMetrics(t.dir) })));
  db.close();
  return result;
}
