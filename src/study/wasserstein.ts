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
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';
import { join, relative, resolve } from 'node:path';
import { Rng } from '../engine/rng.js';
import { mergeConfig } from '../schema.js';
import { RunFolder } from '../runfolder/folder.js';
import { RunsDb } from '../runfolder/database.js';
import { localExecutor } from '../sweep/executor.js';
import type { TrialExecutor } from '../sweep/executor.js';
import { canonicalJson } from '../sweep/plan.js';
import type { PlannedTrial } from '../sweep/plan.js';
import { createHash } from 'node:crypto';
import { gradientExperiment } from './gradients.js';
import { spearman } from './stats.js';
import { writeStudyReport } from './report.js';
import { lossEstimate, studySettings, verdicts } from './claims.js';
import type { LossResult, StudyResult, StudySettings } from './claims.js';

export * from './claims.js';

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
  /** Where the trials run (default: a local pool of `jobs` processes); e.g. a queue of workers. */
  executor?: TrialExecutor;
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

/** Runs the study (or reuses finished trials in DIR), indexes every run, writes report.html/.md and results.json. */
export async function runWassersteinStudy(o: StudyOptions): Promise<StudyResult> {
  const started = Date.now();
  const settings = { ...studySettings(o.quick, o.seeds), ...o.settings };
  const dir = resolve(o.out);
  const log = o.log ?? (() => {});
  try {
    mkdirSync(join(dir, 'runs'), { recursive: true });
  } catch (e) {
    throw new InputError(`--out: ${dir}: cannot create the study folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const db = new RunsDb(join(dir, 'runs.sqlite'));
  // Job ids name the study's folder, so two studies on one queue do not mix.
  const trialKey = createHash('sha256').update(dir).digest('hex').slice(0, 8);
  const seeds = Array.from({ length: settings.seeds }, (_, i) => i + 1);
  const datasets = ['ring8', 'grid25'];

  interface Trial {
    experiment: string;
    loss: string;
    dir: string;
    /** Config overrides (flags over a config file, as `gankit train` merges them). */
    overrides: Record<string, unknown>;
    data: string;
    seed: number;
    config?: number;
  }
  const trials: Trial[] = [];
  for (const loss of settings.losses) {
    for (const data of datasets) {
      for (const seed of seeds) {
        trials.push({ experiment: 'modes', loss, data, seed, dir: join(dir, 'runs', `modes-${loss}-${data}-s${seed}`), overrides: { loss, data: { name: data }, seed, steps: settings.steps } });
      }
    }
  }
  const configRng = new Rng(2017);
  const robustness = Array.from({ length: settings.robustnessConfigs }, () => randomConfig(configRng));
  robustness.forEach((cfg, i) => {
    const file = join(dir, 'runs', `robust-config-${i}.json`);
    writeFileAtomic(file, JSON.stringify(cfg, null, 2) + '\n');
    for (const loss of settings.losses) {
      const overrides = mergeConfig(cfg, { loss, data: { name: 'ring8' }, seed: 1, steps: settings.robustnessSteps });
      trials.push({ experiment: 'robustness', loss, data: 'ring8', seed: 1, config: i, dir: join(dir, 'runs', `robust-${i}-${loss}`), overrides });
    }
  });
  // The slow critics first, so that the workers finish together.
  const cost = (t: Trial) => (t.loss === 'wgan-gp' ? 5 : t.loss === 'wgan' ? 4 : t.loss === 'dragan' ? 2 : 1);
  const order = [...trials].sort((a, b) => cost(b) - cost(a));
  let done = 0;
  const tag = { study: 'wasserstein' };
  // The trials go to the executor (a local pool, or a queue of workers) the same way a sweep's do.
  const planned: PlannedTrial[] = order.map((t) => ({ id: `${trialKey}-${createHash('sha256').update(canonicalJson(t.overrides)).digest('hex').slice(0, 16)}`, name: `${t.experiment} ${t.loss} ${t.data} seed ${t.seed}`, overrides: t.overrides, dir: t.dir }));
  const byDir = new Map(order.map((t) => [t.dir, t]));
  const executor = o.executor ?? localExecutor(o.jobs);
  try {
    await executor.run(planned, (e) => {
      if (e.kind !== 'done' && e.kind !== 'failed') return;
      const t = byDir.get(e.trial.dir)!;
      if (e.kind === 'failed') log(`  ${e.trial.name}: ${e.error}`);
      // The tag goes in after the run (gankit train wants an empty folder), so a rebuild keeps it.
      if (existsSync(t.dir)) new RunFolder(t.dir).writeTag({ ...tag, experiment: t.experiment });
      db.index(t.dir, { ...tag, experiment: t.experiment });
      done++;
      log(`[${done}/${trials.length}] ${t.experiment} ${t.loss} ${t.data} seed ${t.seed}`);
    });
  } finally {
    if (!o.executor) await executor.close();
  }

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
      const lines = new RunFolder(t.dir).readMetrics().filter((l) => typeof l.slicedWasserstein === 'number');
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
  // Paths in what is written are relative to where the study ran, so committed reports hold no machine's paths.
  writeFileAtomic(join(dir, 'results.json'), JSON.stringify({ ...result, dir: relative(process.cwd(), dir) || '.', results: results.map((r) => ({ ...r, gradient: r.gradient ? { ...r.gradient, xs: undefined, d: undefined, dGrad: undefined, gGrad: undefined } : undefined })) }, null, 2) + '\n');
  writeStudyReport(result, trials.filter((t) => t.experiment === 'modes' && t.seed === 1 && t.data === 'ring8').map((t) => ({ loss: t.loss, metrics: new RunFolder(t.dir).readMetrics() })));
  db.close();
  return result;
}
