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
 *   robustness  — Lucic et al. 2018: per loss, random configurations from compare_gan's wide space
 *                 (lr log-uniform in [1e-5, 1e-2], β1 ∈ {0, 0.5, 0.9}, n_critic 1..5, depth,
 *                 width, activation, layer norm, and the loss's own λ / c), the first being the
 *                 preset itself, on ring8 and grid25; the distribution of final sliced W₁ and HQ
 *   stability   — spread across seeds of the final quality; share of runs diverged or collapsed
 *   efficiency  — steps and seconds until ring8 reaches 8/8 modes with ≥ 50 % HQ, and until
 *                 Fashion-MNIST reaches FID thresholds
 *   images      — Fashion-MNIST FID/precision/recall per seed at the benchmark's budget, read
 *                 from `npm run bench:fashion`'s results (--fashion FILE)
 * Arms: each loss at its 2-D preset (the penalty rule of src/losses/hyperparameters.ts), ns and
 * hinge with spectral norm on D, and DRAGAN at λ 1 and at the paper's λ 10 (a sweep).
 * The verdict logic (`verdicts`) is a pure function of the measured numbers, tested on its own.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { makeFolder, writeFileAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';
import { basename, join, relative, resolve } from 'node:path';
import { Rng } from '../engine/rng.js';
import { mergeConfig } from '../schema.js';
import { resolveConfig } from '../train/config.js';
import { RunFolder } from '../runfolder/folder.js';
import { restoreRunRecord, saveRunRecord } from '../runfolder/record.js';
import { runTrial, trialResult } from '../runner/trial.js';
import type { MetricsRow } from '../runfolder/metrics.js';
import { RunsDb } from '../runfolder/database.js';
import { localExecutor } from '../sweep/executor.js';
import type { TrialExecutor } from '../sweep/executor.js';
import { canonicalJson } from '../sweep/plan.js';
import { PLAN_FILE } from '../sweep/plan.js';
import type { PlannedTrial, SweepPlan } from '../sweep/plan.js';
import { createHash } from 'node:crypto';
import { gradientExperiment } from './gradients.js';
import { spearman } from './stats.js';
import { writeStudyReport } from './report.js';
import { armByName, lossEstimate, studySettings, verdicts, FID_THRESHOLDS } from './claims.js';
import type { ArmResult, ImageTrial, RunOutcome, StudyArm, StudyResult, StudySettings, TorchReplica } from './claims.js';
import { getLoss, TOY_PENALTY_SCALE } from '../losses/index.js';
import type { GradientCurve } from './gradients.js';

export * from './claims.js';

export interface StudyOptions {
  quick: boolean;
  jobs: number;
  out: string;
  seeds?: number;
  /** results.json of `npm run bench:fashion`, for the image claims. */
  fashion?: string;
  /** JSON of bench/torch_toy.py (the 2-D preset in PyTorch), reported beside gankit's arms. */
  torch?: string;
  log?: (line: string) => void;
  /** Replaces the settings (tests use a tiny study). */
  settings?: Partial<StudySettings>;
  /** Where the trials run (default: a local pool of `jobs` processes); e.g. a queue of workers. */
  executor?: TrialExecutor;
  /**
   * A folder of run records (src/runfolder/record.ts), one per trial, named as its run folder: a
   * trial that has ended gets its record written there, and a trial with a record is restored from
   * it instead of run. Committing the folder carries a study across machines and checkouts.
   */
  records?: string;
}

/**
 * One random configuration of compare_gan's wide space (Lucic et al. 2018), at 2-D scale: the
 * shared draws (optimiser, n_critic, networks) are the same for every loss at the same index, so
 * configurations pair across losses; the loss's own parameter (WGAN's clip c, a penalty's λ) is
 * drawn from its wide range, penalties then scaled by the 2-D rule (× TOY_PENALTY_SCALE).
 */
export function randomConfig(rng: Rng): { shared: Record<string, unknown>; own: Record<string, number> } {
  const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)];
  const depth = 1 + rng.int(4);
  const width = pick([32, 64, 128, 256]);
  const activation = pick(['relu', 'leakyRelu', 'tanh', 'elu'] as const);
  const layerNorm = rng.int(2) === 1;
  const lr = 10 ** (-5 + 3 * rng.next());
  const beta1 = pick([0, 0.5, 0.9]);
  const nCritic = 1 + rng.int(5);
  const net = { depth, width, activation, layerNorm };
  // Adam for every loss, as Lucic et al. (WGAN's preset RMSProp stays in configuration 0 only).
  const optimizer = { name: 'adam', lr, beta1, beta2: 0.999 };
  const shared = { model: { noiseDim: 2, generator: net, discriminator: net }, optimizerD: optimizer, optimizerG: { ...optimizer }, nCritic, lrSchedule: 'constant' };
  // compare_gan: WGAN clipping 10^U[−3, 0]; WGAN-GP and DRAGAN λ 10^U[−1, 2].
  const own = { clipValue: 10 ** (-3 + 3 * rng.next()), lambda: 10 ** (-1 + 3 * rng.next()) * TOY_PENALTY_SCALE };
  return { shared, own };
}

/** The config of arm `arm` under random configuration `c` (index 0: the preset itself). */
function robustOverrides(arm: StudyArm, c: ReturnType<typeof randomConfig> | null): Record<string, unknown> {
  if (!c) return {};
  const reads = Object.keys(getLoss(arm.loss).preset.hyper);
  const hyper = Object.fromEntries(Object.entries(c.own).filter(([k]) => reads.includes(k) && (k !== 'lambda' || getLoss(arm.loss).penaltyWeight === 'lambda')));
  return mergeConfig(c.shared, Object.keys(hyper).length ? { hyper } : {});
}

const describeConfig = (c: ReturnType<typeof randomConfig> | null) => {
  if (!c) return 'the 2-D preset';
  const m = (c.shared.model as { generator: { depth: number; width: number; activation: string; layerNorm: boolean } }).generator;
  const o = c.shared.optimizerD as { lr: number; beta1: number };
  return `${m.depth}×${m.width} ${m.activation}${m.layerNorm ? ' +LN' : ''}, lr ${o.lr.toExponential(1)}, β1 ${o.beta1}, n_critic ${c.shared.nCritic}, c ${c.own.clipValue.toExponential(1)}, λ ${c.own.lambda.toExponential(1)}`;
};

/** The first `length` hex digits of the SHA-256 of x's canonical JSON. */
const hashOf = (x: unknown, length: number) => createHash('sha256').update(canonicalJson(x)).digest('hex').slice(0, length);

/**
 * bench/torch_toy.py's JSON: {"<arm>/<dataset>": {"modes": [per seed], "hq": [per seed]}}, checked
 * field by field so that a wrong file is named with what is wrong in it.
 */
export function readTorchReplica(file: string | undefined): TorchReplica | undefined {
  if (!file) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`--torch: ${file}: not read (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`--torch: ${file}: expected an object of "<arm>/<dataset>" entries (python3 bench/torch_toy.py --json FILE writes one)`);
  const arms: TorchReplica['arms'] = {};
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    const [arm, data, ...more] = key.split('/');
    const e = v as { modes?: unknown; hq?: unknown };
    const numbers = (xs: unknown) => Array.isArray(xs) && xs.length > 0 && xs.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!arm || !data || more.length || !numbers(e?.modes) || !numbers(e?.hq) || (e.modes as number[]).length !== (e.hq as number[]).length) {
      throw new InputError(`--torch: ${file}: entry '${key}': expected "<arm>/<dataset>": {"modes": [numbers], "hq": [numbers]}, one per seed`);
    }
    arms[key] = { arm, data, modes: e.modes as number[], hq: e.hq as number[] };
  }
  return { file: relative(process.cwd(), resolve(file)), arms };
}

/** One image trial of the benchmark's results.json, with the steps and seconds to each FID threshold. */
function imageTrials(file: string | undefined, log: (l: string) => void): Map<string, ImageTrial[]> {
  const out = new Map<string, ImageTrial[]>();
  if (!file) return out;
  type Raw = { loss: string; trials?: Array<{ seed: number; status: string; steps: number; concurrent?: number; evaluations: Array<{ step: number; elapsed: number; fid: number; precision?: number; recall?: number }> }> };
  let losses: Raw[];
  try {
    losses = JSON.parse(readFileSync(file, 'utf8')).losses ?? [];
  } catch (e) {
    throw new InputError(`--fashion: ${file}: not read (${(e as Error).message})`);
  }
  for (const l of losses) {
    const done = (l.trials ?? []).filter((t) => t.status === 'finished' && t.evaluations.length);
    if (!l.trials) log(`--fashion: ${file} has no per-seed trials for ${l.loss} (rebuild it with npm run bench:fashion -- --report)`);
    if (!done.length) continue;
    out.set(
      l.loss,
      done.map((t) => {
        const last = t.evaluations[t.evaluations.length - 1];
        const hit = (th: number) => t.evaluations.find((e) => e.fid <= th);
        return {
          seed: t.seed,
          steps: t.steps,
          concurrent: t.concurrent ?? 1,
          fid: last.fid,
          precision: last.precision ?? NaN,
          recall: last.recall ?? NaN,
          stepsTo: Object.fromEntries(FID_THRESHOLDS.map((th) => [th, hit(th)?.step ?? Infinity])),
          secondsTo: Object.fromEntries(FID_THRESHOLDS.map((th) => [th, hit(th)?.elapsed ?? Infinity])),
        };
      }),
    );
  }
  return out;
}

/**
 * Wall seconds per G step of an arm's ring8 preset: `steps` steps in this process (into a scratch
 * run folder, removed after), the clock read from the first quarter's end to the last step, so
 * start-up and warm-up are left out; no evaluation falls inside the window.
 */
async function secondsPerStep(arm: StudyArm, steps: number, scratch: string): Promise<number> {
  const from = Math.max(1, Math.floor(steps / 4));
  const overrides = mergeConfig({ loss: arm.loss, data: { name: 'ring8' }, seed: 1, steps, logEvery: steps, plotEvery: steps, checkpointEvery: steps }, arm.overrides);
  rmSync(scratch, { recursive: true, force: true });
  let start = 0;
  let end = 0;
  try {
    await runTrial({ overrides, dir: scratch }, { onProgress: (p) => {
      if (p.step === from) start = performance.now();
      if (p.step === steps - 1) end = performance.now();
    } });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  // A preset that diverged before the window closed has no time: say so rather than report one.
  if (!start || !end) throw new Error(`timing ${arm.name}: its ring8 preset stopped before step ${steps - 1} (diverged?), so it has no seconds per step`);
  return (end - start) / 1000 / (steps - 1 - from);
}

/** Runs the study (or reuses finished trials in DIR), indexes every run, writes report.html/.md and results.json. */
export async function runWassersteinStudy(o: StudyOptions): Promise<StudyResult> {
  const started = Date.now();
  const settings = { ...studySettings(o.quick, o.seeds), ...o.settings };
  const arms = settings.arms.map(armByName);
  const dir = resolve(o.out);
  const log = o.log ?? (() => {});
  const images = imageTrials(o.fashion, log);
  const torch = readTorchReplica(o.torch);
  try {
    makeFolder(join(dir, 'runs'));
  } catch (e) {
    throw new InputError(`--out: ${dir}: cannot create the study folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const db = new RunsDb(join(dir, 'runs.sqlite'));
  // Job ids name the study's folder, so two studies on one queue do not mix.
  const trialKey = createHash('sha256').update(dir).digest('hex').slice(0, 8);
  const seeds = Array.from({ length: settings.seeds }, (_, i) => i + 1);
  const datasets = ['ring8', 'grid25'];

  interface Trial {
    experiment: 'modes' | 'robustness';
    arm: StudyArm;
    dir: string;
    /** Config overrides (flags over a config file, as `gankit train` merges them). */
    overrides: Record<string, unknown>;
    data: string;
    seed: number;
    config?: number;
  }
  const trials: Trial[] = [];
  // Folder names carry a hash of the resolved config: a trial whose settings changed (a preset, the
  // 2-D rule, a default) is a new trial, never a stale folder reused.
  const folder = (name: string, overrides: Record<string, unknown>) => join(dir, 'runs', `${name}-${hashOf(resolveConfig(overrides), 8)}`);
  for (const arm of arms) {
    for (const data of datasets) {
      for (const seed of seeds) {
        const overrides = mergeConfig({ loss: arm.loss, data: { name: data }, seed, steps: settings.steps }, arm.overrides);
        trials.push({ experiment: 'modes', arm, data, seed, dir: folder(`modes-${arm.name}-${data}-s${seed}`, overrides), overrides });
      }
    }
  }
  const configRng = new Rng(2018);
  const robustness = Array.from({ length: settings.robustnessConfigs }, (_, i) => (i === 0 ? null : randomConfig(configRng)));
  robustness.forEach((cfg, i) => {
    writeFileAtomic(join(dir, 'runs', `robust-config-${i}.json`), JSON.stringify(cfg ?? { preset: true }, null, 2) + '\n');
    for (const arm of arms.filter((a) => !a.sweep)) {
      for (const data of datasets) {
        // Only the final scores matter here: metrics every quarter, one picture at the end.
        const overrides = mergeConfig(mergeConfig(robustOverrides(arm, cfg), arm.overrides), { loss: arm.loss, data: { name: data }, seed: 1, steps: settings.robustnessSteps, logEvery: Math.max(1, Math.floor(settings.robustnessSteps / 4)), plotEvery: settings.robustnessSteps });
        trials.push({ experiment: 'robustness', arm, data, seed: 1, config: i, dir: folder(`robust-${i}-${arm.name}-${data}`, overrides), overrides });
      }
    }
  });
  // The slow trials first, so that the workers finish together.
  const cost = (t: Trial) => {
    const nCritic = (t.overrides.nCritic as number | undefined) ?? getLoss(t.arm.loss).preset.nCritic;
    return (t.experiment === 'modes' ? settings.steps : settings.robustnessSteps) * (1 + nCritic * (getLoss(t.arm.loss).penalty ? 2 : 1));
  };
  const order = [...trials].sort((a, b) => cost(b) - cost(a));
  let done = 0;
  const tag = { study: 'wasserstein' };
  // The trials go to the executor (a local pool, or a queue of workers) the same way a sweep's do.
  const planned: PlannedTrial[] = order.map((t) => ({ id: `${trialKey}-${hashOf(t.overrides, 16)}`, name: `${t.experiment} ${t.arm.name} ${t.data}${t.config !== undefined ? ` config ${t.config}` : ` seed ${t.seed}`}`, overrides: t.overrides, dir: t.dir }));
  // The trial list, as a sweep's plan: a worker runs only the jobs their folder's plan lists.
  const plan: SweepPlan = { format: 1, out: dir, base: {}, grid: null, random: null, trials: planned };
  writeFileAtomic(join(dir, PLAN_FILE), JSON.stringify(plan, null, 1) + '\n');
  const byDir = new Map(order.map((t) => [t.dir, t]));
  const recordOf = (t: Trial) => join(resolve(o.records!), `${basename(t.dir)}.json`);
  if (o.records) {
    try {
      makeFolder(resolve(o.records));
    } catch (e) {
      throw new InputError(`--records: ${o.records}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const restorable = order.filter((t) => !trialResult(t.dir) && existsSync(recordOf(t)));
    for (const t of restorable) restoreRunRecord(recordOf(t), t.dir);
    const kept = order.filter((t) => existsSync(recordOf(t))).length;
    log(`records: ${kept} of ${order.length} trials have a record in ${relative(process.cwd(), resolve(o.records)) || '.'} (${restorable.length} restored from it, not run)`);
  }
  const executor = o.executor ?? localExecutor(o.jobs);
  try {
    await executor.run(planned, (e) => {
      if (e.kind !== 'done' && e.kind !== 'failed') return;
      const t = byDir.get(e.trial.dir)!;
      if (e.kind === 'failed') log(`  ${e.trial.name}: ${e.error}`);
      // The tag goes in after the run (gankit train wants an empty folder), so a rebuild keeps it.
      if (existsSync(t.dir)) new RunFolder(t.dir).writeTag({ ...tag, experiment: t.experiment });
      db.index(t.dir, { ...tag, experiment: t.experiment });
      if (o.records) saveRunRecord(t.dir, recordOf(t));
      done++;
      log(`[${done}/${trials.length}] ${e.trial.name}`);
    });
  } finally {
    if (!o.executor) await executor.close();
  }

  log(`gradients: training each D alone against a fixed generator (${settings.gradientSeeds} seeds)`);
  const gradients = new Map<string, GradientCurve[]>();
  for (const arm of arms.filter((a) => !a.sweep && Object.keys(a.overrides).length === 0)) {
    gradients.set(arm.name, Array.from({ length: settings.gradientSeeds }, (_, i) => gradientExperiment(arm.loss, { steps: settings.gradientSteps, seed: i + 1 })));
  }

  // Seconds compare only under one load: every arm timed back to back here, after the trials.
  log(`timing: each arm's ring8 preset for ${settings.timingSteps} G steps, one after another in this process`);
  const perStep = new Map<string, number>();
  for (const arm of arms) perStep.set(arm.name, await secondsPerStep(arm, settings.timingSteps, join(dir, 'timing', arm.name)));

  const outcome = (t: Trial): RunOutcome => {
    const row = db.get(t.dir);
    const final = row?.final as { modesCovered?: number; totalModes?: number; highQualityShare?: number; slicedWasserstein?: number } | null;
    const total = final?.totalModes ?? (t.data === 'ring8' ? 8 : 25);
    if (row?.status !== 'finished' || !final) return { modes: 0, totalModes: total, hq: 0, sw: Infinity, failed: true };
    const sw = final.slicedWasserstein;
    return { modes: final.modesCovered ?? 0, totalModes: total, hq: final.highQualityShare ?? 0, sw: typeof sw === 'number' && Number.isFinite(sw) ? sw : Infinity, failed: false };
  };
  // Each modes run's log, read once: for ρ and the target here, and for the report's traces.
  const logs = new Map<string, MetricsRow[]>();
  const metricsOf = (t: Trial) => {
    let rows = logs.get(t.dir);
    if (!rows) logs.set(t.dir, (rows = existsSync(t.dir) ? new RunFolder(t.dir).readMetrics() : []));
    return rows;
  };
  const results: ArmResult[] = arms.map((arm) => {
    const r: ArmResult = { arm: arm.name, loss: arm.loss, role: arm.role, runs: {}, rho: [], stepsToTarget: [], secondsToTarget: [], secondsPerStep: perStep.get(arm.name)!, robust: {}, gradients: gradients.get(arm.name), images: images.get(arm.name) };
    for (const t of trials.filter((x) => x.arm === arm && x.experiment === 'modes')) {
      (r.runs[t.data] ??= []).push(outcome(t));
      const lines = metricsOf(t).filter((l) => typeof l.slicedWasserstein === 'number');
      if (lines.length) r.rho.push(spearman(lines.map(lossEstimate), lines.map((l) => l.slicedWasserstein!)));
      if (t.data === 'ring8') {
        const hit = lines.find((l) => l.modesCovered === 8 && (l.highQualityShare ?? 0) >= 0.5);
        r.stepsToTarget.push(hit ? hit.step : Infinity);
        r.secondsToTarget.push(hit ? hit.step * r.secondsPerStep : Infinity);
      }
    }
    for (const t of trials.filter((x) => x.arm === arm && x.experiment === 'robustness')) (r.robust[t.data] ??= []).push(outcome(t));
    return r;
  });
  const claims = verdicts(results);
  const fashion = o.fashion ? relative(process.cwd(), resolve(o.fashion)) : undefined;
  const result: StudyResult = { settings, quick: o.quick, results, verdicts: claims, robustnessConfigs: robustness.map(describeConfig), dir, seconds: (Date.now() - started) / 1000, fashion, torch };
  // Paths in what is written are relative to where the study ran, so committed reports hold no machine's paths.
  const slim = results.map((r) => ({ ...r, gradients: r.gradients?.map((g) => ({ ...g, xs: undefined, d: undefined, dGrad: undefined, gGrad: undefined })) }));
  writeFileAtomic(join(dir, 'results.json'), JSON.stringify({ ...result, dir: relative(process.cwd(), dir) || '.', results: slim }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2) + '\n');
  writeStudyReport(result, trials.filter((t) => t.experiment === 'modes' && t.seed === 1 && t.data === 'ring8' && !t.arm.sweep).map((t) => ({ loss: t.arm.name, metrics: metricsOf(t) })));
  db.close();
  return result;
}
