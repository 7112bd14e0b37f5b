/**
 * `gankit study wasserstein`: each claim made for the Wasserstein loss, measured against ns with
 * a verdict per method (claims.ts has the rule).
 *
 * Experiments (every trial is a normal run folder made by a worker process and indexed in
 * DIR/runs.sqlite; `--records` keeps and restores one small record per trial):
 *   modes       — ring8 and grid25, each arm × seeds (v3: 10 seeds, 20,000 G steps, the exact W₁
 *                 of 1,000 points every 1,000 steps, gated mode coverage at every log)
 *   robustness  — gankit's 2-D random space (Lucic-like, but it also varies depth, width,
 *                 activation and layer norm), the first configuration being the preset; ring8/grid25
 *   images      — (v3) compare_gan's wide space on Fashion-MNIST with dcgan28 fixed: β1 ~ U[0, 1],
 *                 lr 10^U[−5, −2], n_critic 1–5, D batch norm on/off, the loss's c or λ; paired
 *                 across ns, wgan, wgan-gp and hinge + SN; 1 seed each at 1,875 D updates (2 epochs),
 *                 FID at N = 10,000 at the end
 *   stress      — (v3) ring8 under settings where something can fail (claims.ts STRESS_CONDITIONS)
 *   gradients   — a critic trained alone against a collapsed generator (gradients.ts)
 *   timing      — each arm's ring8 preset timed back to back in this process (seconds per G step)
 *   benchmark   — Fashion-MNIST trials of `npm run bench:fashion` (--fashion results.json)
 * `--offline` runs nothing: the trials without a record or a finished folder are pending, and the
 * claims that need them say "not tested".
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { makeFolder, writeFileAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';
import { basename, join, relative, resolve } from 'node:path';
import { Rng } from '../engine/rng.js';
import { mergeConfig } from '../schema.js';
import { resolveConfig } from '../train/config.js';
import { RunFolder } from '../runfolder/folder.js';
import { parseRunRecord, restoreRunRecord, saveRunRecord } from '../runfolder/record.js';
import { runTrial, trialResult } from '../runner/trial.js';
import type { MetricsRow } from '../runfolder/metrics.js';
import type { ImageColumns } from '../kinds/images/columns.js';
import type { PointColumns } from '../kinds/points/columns.js';
import { RunsDb } from '../runfolder/database.js';
import { localExecutor } from '../sweep/executor.js';
import type { TrialExecutor } from '../sweep/executor.js';
import { canonicalJson, foreignConfig, foreignTrial, PLAN_FILE } from '../sweep/plan.js';
import type { PlannedTrial, SweepPlan } from '../sweep/plan.js';
import { createHash } from 'node:crypto';
import { gradientExperiment, gradientProbe, GRADIENT_SETUP } from './gradients.js';
import { detrendedCorrelation, median } from './stats.js';
import { writeStudyReport } from './report.js';
import { armByName, lossEstimate, studySettings, verdicts, FID_THRESHOLDS, LEARNT_HQ, STRESS_CONDITIONS } from './claims.js';
import type { ArmResult, ImageOutcome, ImageTrial, RunOutcome, StudyArm, StudyResult, StudySettings, TorchReplica } from './claims.js';
import { getLoss, TOY_PENALTY_SCALE } from '../losses/index.js';
import type { GradientCurve } from './gradients.js';

/** Seconds as h:mm:ss or m:ss, for the trials' progress lines. */
const clock = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
};

export * from './claims.js';

export interface StudyOptions {
  /** The protocol (claims.ts studySettings): v3 (default), v2 (the committed 2,000-step records), quick. */
  protocol?: StudySettings['protocol'];
  /** Shorthand for protocol 'quick'. */
  quick?: boolean;
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
   * it instead of run. The gradient experiment and the timing are kept there too. Committing the
   * folder carries a study across machines and checkouts.
   */
  records?: string;
  /** Run no trial: report from the records and finished folders; the rest is pending. */
  offline?: boolean;
  /** Run only these experiments' trials (the others as --offline): e.g. ['modes', 'stress']. */
  only?: Array<'modes' | 'robustness' | 'images' | 'stress'>;
}

/**
 * One random configuration of gankit's 2-D random space: the shared draws (optimiser, n_critic,
 * networks) are the same for every loss at the same index, so configurations pair across losses;
 * the loss's own parameter (WGAN's clip c, a penalty's λ) is drawn from compare_gan's wide range,
 * penalties then scaled by the 2-D rule (× TOY_PENALTY_SCALE). Unlike compare_gan's space it also
 * varies depth, width, activation and layer norm, and draws β1 from {0, 0.5, 0.9}.
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

/**
 * One random configuration of compare_gan's wide space for images (Lucic et al. 2018,
 * `GetDefaultWideRange`), the architecture fixed (dcgan28): Adam with β1 ~ U[0, 1], β2 0.999,
 * lr 10^U[−5, −2]; n_critic 1–5; D batch norm on or off; WGAN's c 10^U[−3, 0], a penalty's
 * λ 10^U[−1, 2]. The same index gives the same draws for every loss (paired).
 */
export function randomImageConfig(rng: Rng): { lr: number; beta1: number; nCritic: number; dNorm: 'batch' | 'none'; clipValue: number; lambda: number } {
  const lr = 10 ** (-5 + 3 * rng.next());
  const beta1 = rng.next();
  const nCritic = 1 + rng.int(5);
  const dNorm = rng.int(2) === 1 ? 'batch' : 'none';
  return { lr, beta1, nCritic, dNorm, clipValue: 10 ** (-3 + 3 * rng.next()), lambda: 10 ** (-1 + 3 * rng.next()) };
}

/** The config of arm `arm` under image configuration `c`: hinge + SN keeps spectral norm as its D norm (no batch norm with it); WGAN without its warm-up, as compare_gan. */
export function imageOverrides(arm: StudyArm, c: ReturnType<typeof randomImageConfig>, dUpdates: number, evalSamples: number): Record<string, unknown> {
  const optimizer = { name: 'adam', lr: c.lr, beta1: c.beta1, beta2: 0.999 };
  const spec = getLoss(arm.loss);
  const reads = Object.keys(spec.preset.hyper);
  const hyper: Record<string, unknown> = {};
  if (reads.includes('clipValue')) hyper.clipValue = c.clipValue;
  if (reads.includes('warmup')) hyper.warmup = false;
  if (reads.includes('lambda') && spec.penaltyWeight === 'lambda') hyper.lambda = c.lambda;
  const sn = (arm.overrides.model as { sn?: boolean } | undefined)?.sn === true;
  const steps = Math.max(1, Math.round(dUpdates / c.nCritic));
  return mergeConfig(
    { loss: arm.loss, data: { name: 'fashion-mnist' }, model: { arch: 'dcgan28', norm: sn ? 'none' : c.dNorm, ...(sn ? { sn: true } : {}) }, optimizerD: optimizer, optimizerG: { ...optimizer }, nCritic: c.nCritic, ...(Object.keys(hyper).length ? { hyper } : {}) },
    { seed: 1, steps, evalSamples, plotEvery: steps, checkpointEvery: steps, logEvery: Math.max(1, Math.floor(steps / 10)) },
  );
}

/** The config of arm `arm` under random configuration `c` (index 0: the preset itself). */
function robustOverrides(arm: StudyArm, c: ReturnType<typeof randomConfig> | null): Record<string, unknown> {
  if (!c) return {};
  const reads = Object.keys(getLoss(arm.loss).preset.hyper);
  const hyper = Object.fromEntries(Object.entries(c.own).filter(([k]) => reads.includes(k) && (k !== 'lambda' || getLoss(arm.loss).penaltyWeight === 'lambda')));
  return mergeConfig(c.shared, Object.keys(hyper).length ? { hyper } : {});
}

/**
 * The order of the image-robustness trials: a configuration's arms one after another, the
 * configurations with the most arms already done first (then by index), each configuration's arms
 * in `arms` order. Claim 4 compares arms within a configuration, so a study stopped part-way (one
 * session's compute) then holds complete, paired configurations, not the costliest arm of each.
 */
export function imageTrialOrder<T extends { config: number; arm: string }>(pending: T[], doneArmsPerConfig: Map<number, number>, arms: string[]): T[] {
  const done = (t: T) => doneArmsPerConfig.get(t.config) ?? 0;
  return [...pending].sort((a, b) => done(b) - done(a) || a.config - b.config || arms.indexOf(a.arm) - arms.indexOf(b.arm));
}

const describeConfig = (c: ReturnType<typeof randomConfig> | null) => {
  if (!c) return 'the 2-D preset';
  const m = (c.shared.model as { generator: { depth: number; width: number; activation: string; layerNorm: boolean } }).generator;
  const o = c.shared.optimizerD as { lr: number; beta1: number };
  return `${m.depth}×${m.width} ${m.activation}${m.layerNorm ? ' +LN' : ''}, lr ${o.lr.toExponential(1)}, β1 ${o.beta1}, n_critic ${c.shared.nCritic}, c ${c.own.clipValue.toExponential(1)}, λ ${c.own.lambda.toExponential(1)}`;
};
const describeImageConfig = (c: ReturnType<typeof randomImageConfig>) =>
  `lr ${c.lr.toExponential(1)}, β1 ${c.beta1.toFixed(2)}, n_critic ${c.nCritic}, D norm ${c.dNorm}, c ${c.clipValue.toExponential(1)}, λ ${c.lambda.toExponential(1)}`;

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

/**
 * The image benchmark's results.json (`npm run bench:fashion`): per system `{ loss, summary,
 * trials: [{ seed, status, steps, dUpdates, concurrent, evaluations: [{ step, dUpdates, elapsed,
 * fid, precision, recall }], final?: { step, samples, scores }, best? }] }` under `losses` (or
 * `systems`). Finished trials only; a trial without `final` scores (N = 10,000) is kept for its
 * evaluations, and the claims that need the final scores say it is pending.
 */
export function readImageBenchmark(file: string | undefined): { trials: Map<string, ImageTrial[]>; note: string } {
  const out = new Map<string, ImageTrial[]>();
  if (!file) return { trials: out, note: '' };
  type RawEval = ImageColumns & { step: number; dUpdates?: number; elapsed: number; fid: number };
  type RawTrial = { seed: number; status: string; steps: number; dUpdates?: number; concurrent?: number; evaluations?: RawEval[]; final?: { step: number; samples: number; scores: Record<string, number> } };
  type Raw = { loss?: string; system?: string; name?: string; trials?: RawTrial[] };
  let systems: Raw[];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    systems = parsed.losses ?? parsed.systems;
  } catch (e) {
    throw new InputError(`--fashion: ${file}: not read (${(e as Error).message})`);
  }
  if (!Array.isArray(systems)) throw new InputError(`--fashion: ${file}: expected {"losses": [{"loss", "trials": [...]}, ...]} (npm run bench:fashion -- --report writes it)`);
  let withFinal = 0;
  let all = 0;
  const budgets = new Set<string>();
  for (const sys of systems) {
    const name = sys.loss ?? sys.system ?? sys.name;
    if (!name) throw new InputError(`--fashion: ${file}: a system without a name ("loss")`);
    const done = (sys.trials ?? []).filter((t) => t.status === 'finished' && (t.evaluations ?? []).length);
    if (!done.length) continue;
    out.set(
      name,
      done.map((t): ImageTrial => {
        const evals = [...t.evaluations!].sort((a, b) => a.step - b.step);
        const last = evals[evals.length - 1];
        // D updates per G step: the trial's own count (n_critic, warm-up); unknown in older files.
        const perStep = (t.dUpdates ?? NaN) / t.steps;
        const dAt = (e: RawEval) => e.dUpdates ?? e.step * perStep;
        const hit = (th: number) => evals.find((e) => e.fid <= th);
        const thresholds = (f: (e: RawEval) => number) => Object.fromEntries(FID_THRESHOLDS.map((th) => [th, hit(th) ? f(hit(th)!) : Infinity]));
        const s = t.final?.scores;
        all++;
        if (s) withFinal++;
        budgets.add(t.dUpdates !== undefined ? `${t.dUpdates} D updates` : `${t.steps} G steps (D updates not recorded)`);
        return {
          seed: t.seed,
          steps: t.steps,
          dUpdates: t.dUpdates ?? NaN,
          final: s && typeof s.fid === 'number' ? { fid: s.fid, fidInfinity: s.fidInfinity, kid: s.kid, kidSe: s.kidSe, precision: s.precision, recall: s.recall, density: s.density, coverage: s.coverage, classifierScore: s.classifierScore, samples: t.final!.samples, step: t.final!.step } : undefined,
          last: { step: last.step, fid: last.fid, precision: last.precision ?? NaN, recall: last.recall ?? NaN, elapsed: last.elapsed },
          secondsPerStep: last.elapsed / last.step,
          secondsPerDUpdate: last.elapsed / dAt(last),
          stepsTo: thresholds((e) => e.step),
          dUpdatesTo: thresholds(dAt),
          secondsTo: thresholds((e) => e.elapsed),
          concurrent: t.concurrent ?? 1,
        };
      }),
    );
  }
  const note = `${all} finished trials of ${out.size} systems (budgets: ${[...budgets].sort().join(', ')}), ${withFinal} with N = 10,000 final scores`;
  return { trials: out, note };
}

/**
 * Wall seconds per G step of an arm's ring8 preset: `steps` steps in this process (into a scratch
 * run folder, removed after), the clock read from the first quarter's end to the last step, so
 * start-up and warm-up are left out; no evaluation falls inside the window.
 */
async function secondsPerStep_(arm: StudyArm, steps: number, scratch: string): Promise<number> {
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

/**
 * Seconds per G step of each arm, timed back to back in one process. With `rounds` > 1 the process
 * is warmed first by one untimed run (the first trial in a process pays for V8's compilation and
 * tfjs's first kernel uses: measured one after another once, ns — timed first — came out at
 * 4.6–4.8 ms per step against 1.7–2.9 ms for lsgan and hinge, the same networks and optimiser),
 * then every arm is timed once per round, each round starting one arm further on, and each arm
 * keeps its median. `rounds` 1 is the v2 rule: each arm once, in order, no warm-up.
 */
export async function timeArms<A extends { name: string }>(arms: A[], rounds: number, time: (arm: A) => Promise<number>): Promise<Record<string, number>> {
  const seen = new Map<string, number[]>(arms.map((a) => [a.name, []]));
  if (rounds > 1 && arms.length) await time(arms[0]);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < arms.length; i++) {
      const arm = arms[(i + r) % arms.length];
      seen.get(arm.name)!.push(await time(arm));
    }
  }
  return Object.fromEntries([...seen].map(([name, v]) => [name, median(v)]));
}

/** A JSON file of the records folder (the gradient experiment, the timing): read if there, else made and kept. */
async function recorded<T>(records: string | undefined, name: string, make: () => Promise<T> | T, log: (l: string) => void): Promise<T> {
  const file = records ? join(resolve(records), name) : null;
  if (file && existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'), (_k, v) => (v === 'Infinity' ? Infinity : v)) as T;
    } catch (e) {
      throw new InputError(`${file}: not a study record (${(e as Error).message})`);
    }
  }
  const value = await make();
  if (file) {
    writeFileAtomic(file, JSON.stringify(value, (_k, v) => (v === Infinity ? 'Infinity' : v), 1) + '\n');
    log(`kept ${relative(process.cwd(), file)}`);
  }
  return value;
}

interface Trial {
  experiment: 'modes' | 'robustness' | 'images' | 'stress';
  arm: StudyArm;
  dir: string;
  /** Config overrides (flags over a config file, as `gankit train` merges them). */
  overrides: Record<string, unknown>;
  data: string;
  seed: number;
  config?: number;
  condition?: string;
}

/** Runs the study (or reuses finished trials in DIR), indexes every run, writes report.html/.md and results.json. */
export async function runWassersteinStudy(o: StudyOptions): Promise<StudyResult> {
  const started = Date.now();
  const protocol = o.quick ? 'quick' : o.protocol ?? 'v3';
  const settings: StudySettings = { ...studySettings(protocol, o.seeds), ...o.settings };
  const arms = settings.arms.map(armByName);
  const dir = resolve(o.out);
  const log = o.log ?? (() => {});
  const bench = readImageBenchmark(o.fashion);
  const torch = readTorchReplica(o.torch);
  try {
    makeFolder(join(dir, 'runs'));
  } catch (e) {
    throw new InputError(`--out: ${dir}: cannot create the study folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (protocol === 'quick') log(`gankit: SMOKE TEST (--quick): ${settings.arms.join(', ')}, ${settings.seeds} seeds × ${settings.steps} steps, no image trials — it shows the pipeline and the report's layout; its verdicts say nothing about the claims`);
  const db = new RunsDb(join(dir, 'runs.sqlite'));
  // Job ids name the study's folder, so two studies on one queue do not mix.
  const trialKey = createHash('sha256').update(dir).digest('hex').slice(0, 8);
  const seeds = Array.from({ length: settings.seeds }, (_, i) => i + 1);
  const datasets = ['ring8', 'grid25'];

  const trials: Trial[] = [];
  // Folder names carry a hash of the resolved config: a trial whose settings changed (a preset, the
  // 2-D rule, a default) is a new trial, never a stale folder reused.
  const folder = (name: string, overrides: Record<string, unknown>) => join(dir, 'runs', `${name}-${hashOf(resolveConfig(overrides), 8)}`);
  for (const arm of arms) {
    for (const data of datasets) {
      for (const seed of seeds) {
        let overrides = mergeConfig({ loss: arm.loss, data: { name: data }, seed, steps: settings.steps }, arm.overrides);
        if (Object.keys(settings.modesLogging).length) overrides = mergeConfig(overrides, settings.modesLogging);
        trials.push({ experiment: 'modes', arm, data, seed, dir: folder(`modes-${arm.name}-${data}-s${seed}`, overrides), overrides });
      }
    }
  }
  const robustArms = settings.robustnessArms.map(armByName);
  const configRng = new Rng(2018);
  const robustness = Array.from({ length: settings.robustnessConfigs }, (_, i) => (i === 0 ? null : randomConfig(configRng)));
  robustness.forEach((cfg, i) => {
    writeFileAtomic(join(dir, 'runs', `robust-config-${i}.json`), JSON.stringify(cfg ?? { preset: true }, null, 2) + '\n');
    for (const arm of robustArms) {
      for (const data of datasets) {
        // Only the final scores matter here: metrics every quarter, one picture at the end.
        const overrides = mergeConfig(mergeConfig(robustOverrides(arm, cfg), arm.overrides), { loss: arm.loss, data: { name: data }, seed: 1, steps: settings.robustnessSteps, logEvery: Math.max(1, Math.floor(settings.robustnessSteps / 4)), plotEvery: settings.robustnessSteps });
        trials.push({ experiment: 'robustness', arm, data, seed: 1, config: i, dir: folder(`robust-${i}-${arm.name}-${data}`, overrides), overrides });
      }
    }
  });
  const imageRng = new Rng(1978);
  const ir = settings.imageRobustness;
  const imageConfigs = ir ? Array.from({ length: ir.configs }, () => randomImageConfig(imageRng)) : [];
  imageConfigs.forEach((cfg, i) => {
    for (const arm of ir!.arms.map(armByName)) {
      const overrides = imageOverrides(arm, cfg, ir!.dUpdates, ir!.evalSamples);
      trials.push({ experiment: 'images', arm, data: 'fashion-mnist', seed: 1, config: i, dir: folder(`images-${i}-${arm.name}`, overrides), overrides });
    }
  });
  const st = settings.stress;
  if (st) {
    for (const cond of st.conditions) {
      const c = STRESS_CONDITIONS[cond];
      if (!c) throw new InputError(`stress condition '${cond}' is not one of ${Object.keys(STRESS_CONDITIONS).join(', ')}`);
      for (const arm of (c.arms ?? st.arms).filter((a) => st.arms.includes(a)).map(armByName)) {
        for (let seed = 1; seed <= st.seeds; seed++) {
          const overrides = mergeConfig(mergeConfig({ loss: arm.loss, data: { name: 'ring8' }, seed, steps: st.steps, plotEvery: st.steps, checkpointEvery: st.steps }, arm.overrides), c.overrides);
          trials.push({ experiment: 'stress', arm, data: 'ring8', seed, condition: cond, dir: folder(`stress-${cond}-${arm.name}-s${seed}`, overrides), overrides });
        }
      }
    }
  }
  // The slow trials first, so that the workers finish together.
  const cost = (t: Trial) => {
    const steps = (t.overrides.steps as number | undefined) ?? settings.steps;
    const nCritic = (t.overrides.nCritic as number | undefined) ?? getLoss(t.arm.loss).preset.nCritic;
    return steps * (1 + nCritic * (getLoss(t.arm.loss).penalty ? 2 : 1)) * (t.experiment === 'images' ? 100 : 1);
  };
  const order = [...trials].sort((a, b) => cost(b) - cost(a));
  const tag = { study: 'wasserstein' };
  const recordOf = (t: Trial) => join(resolve(o.records!), `${basename(t.dir)}.json`);
  const planned = new Map<Trial, PlannedTrial>(order.map((t) => [t, { id: `${trialKey}-${hashOf(t.overrides, 16)}`, name: `${t.experiment} ${t.arm.name} ${t.data}${t.condition ? ` ${t.condition}` : ''}${t.config !== undefined ? ` config ${t.config}` : ` seed ${t.seed}`}`, overrides: t.overrides, dir: t.dir }]));
  // A folder's name keeps 32 bits of its config's hash (the committed records are named after
  // the folders), so before anything in a folder or a record is reused it is matched to its trial,
  // as a sweep does (foreignTrial): one holding another trial's run is not used, and that trial
  // stays pending (no result is reported for it) with one line saying why.
  const foreign = new Map<Trial, string>();
  const owner = new Map<string, Trial>();
  for (const t of trials) {
    const first = owner.get(t.dir);
    if (!first) owner.set(t.dir, t);
    else if (canonicalJson(resolveConfig(first.overrides)) !== canonicalJson(resolveConfig(t.overrides))) foreign.set(t, `${t.dir}: named as the folder of ${planned.get(first)!.name} (the 32-bit hash in its name collides); not run`);
  }
  if (o.records) {
    try {
      makeFolder(resolve(o.records));
    } catch (e) {
      throw new InputError(`--records: ${o.records}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const records = new Map<Trial, ReturnType<typeof parseRunRecord>>();
  for (const t of order) {
    if (foreign.has(t)) continue;
    const inFolder = foreignTrial(planned.get(t)!);
    if (inFolder) {
      foreign.set(t, inFolder);
      continue;
    }
    if (!o.records || !existsSync(recordOf(t))) continue;
    const record = parseRunRecord(readFileSync(recordOf(t), 'utf8'), recordOf(t));
    const inRecord = foreignConfig(record.config, t.overrides as PlannedTrial['overrides'], recordOf(t));
    if (inRecord) foreign.set(t, inRecord);
    else records.set(t, record);
  }
  for (const [t, why] of foreign) log(`  ${planned.get(t)!.name}: ${why}; left pending`);
  if (o.records) {
    const restorable = order.filter((t) => records.has(t) && !trialResult(t.dir));
    for (const t of restorable) restoreRunRecord(recordOf(t), t.dir, records.get(t));
    log(`records: ${records.size} of ${order.length} trials have a record in ${relative(process.cwd(), resolve(o.records)) || '.'} (${restorable.length} restored from it, not run)`);
  }
  const failed = new Set<Trial>();
  const finish = (t: Trial) => {
    // The tag goes in after the run (gankit train wants an empty folder), so a rebuild keeps it.
    if (existsSync(t.dir)) new RunFolder(t.dir).writeTag({ ...tag, experiment: t.experiment });
    db.index(t.dir, { ...tag, experiment: t.experiment });
    if (o.records) saveRunRecord(t.dir, recordOf(t));
  };
  if (o.only) for (const e of o.only) if (!['modes', 'robustness', 'images', 'stress'].includes(e)) throw new InputError(`--only: '${e}' is not an experiment (modes, robustness, images, stress)`);
  // Trials with a result (a finished folder, or one restored from its record) are indexed here; the
  // executor gets only those to run.
  const runs = (t: Trial) => !foreign.has(t) && !o.offline && (!o.only || o.only.includes(t.experiment)) && !trialResult(t.dir);
  const skipped = order.filter((t) => !runs(t) && !foreign.has(t));
  if (skipped.length) {
    let have = 0;
    for (const t of skipped) {
      if (!trialResult(t.dir)) continue;
      finish(t);
      have++;
    }
    if (skipped.length > have) log(`${o.offline ? 'offline' : `not in --only ${o.only!.join(',')}`}: ${skipped.length - have} trials are pending (not run)`);
  }
  const toRun = order.filter(runs);
  // The image trials take the image trials' places in that order, grouped by configuration.
  const imageSlots = toRun.flatMap((t, i) => (t.experiment === 'images' ? [i] : []));
  if (imageSlots.length) {
    const doneArms = new Map<number, number>();
    for (const t of trials) if (t.experiment === 'images' && trialResult(t.dir)) doneArms.set(t.config!, (doneArms.get(t.config!) ?? 0) + 1);
    const grouped = imageTrialOrder(imageSlots.map((i) => ({ config: toRun[i].config!, arm: toRun[i].arm.name, trial: toRun[i] })), doneArms, ir!.arms);
    imageSlots.forEach((slot, k) => (toRun[slot] = grouped[k].trial));
  }
  if (toRun.length) {
    let done = 0;
    const jobs = toRun.map((t) => planned.get(t)!);
    // The trial list, as a sweep's plan: a worker runs only the jobs their folder's plan lists.
    const plan: SweepPlan = { format: 1, out: dir, base: {}, grid: null, random: null, trials: jobs };
    writeFileAtomic(join(dir, PLAN_FILE), JSON.stringify(plan, null, 1) + '\n');
    const byDir = new Map(toRun.map((t) => [t.dir, t]));
    const executor = o.executor ?? localExecutor(o.jobs);
    // The ETA weighs each trial by its steps (an image trial or a long 2-D one is not a short one).
    const weight = (t: Trial) => (typeof t.overrides.steps === 'number' ? t.overrides.steps : 1);
    const totalWeight = toRun.reduce((sum, t) => sum + weight(t), 0);
    let doneWeight = 0;
    const trialsStarted = Date.now();
    try {
      await executor.run(jobs, (e) => {
        if (e.kind !== 'done' && e.kind !== 'failed') return;
        const t = byDir.get(e.trial.dir)!;
        if (e.kind === 'failed') {
          log(`  ${e.trial.name}: ${e.error}`);
          failed.add(t);
        }
        finish(t);
        done++;
        doneWeight += weight(t);
        const seconds = (Date.now() - trialsStarted) / 1000;
        const eta = done < toRun.length ? `, about ${clock((seconds * (totalWeight - doneWeight)) / doneWeight)} to go` : '';
        log(`[${done}/${toRun.length}] ${e.trial.name} (${clock(seconds)} in${eta})`);
      });
    } finally {
      if (!o.executor) await executor.close();
    }
  }

  // The gradient experiment: every non-SN, non-sweep arm of the modes experiment.
  const gradientArms = arms.filter((a) => !a.sweep && Object.keys(a.overrides).length === 0);
  const gradientKey = hashOf({ arms: gradientArms.map((a) => a.loss), steps: settings.gradientSteps, checkpoints: settings.gradientCheckpoints, seeds: settings.gradientSeeds, setup: GRADIENT_SETUP }, 8);
  const curves = await recorded(o.records, `_study-gradients-${gradientKey}.json`, () => {
    log(`gradients: each D trained alone against a collapsed G (${settings.gradientSeeds} seeds × ${gradientArms.length} losses, ${settings.gradientSteps} D steps)`);
    const probes = Array.from({ length: settings.gradientSeeds }, (_, i) => gradientProbe(i + 1));
    return Object.fromEntries(gradientArms.map((a) => [a.name, probes.map((probe, i) => gradientExperiment(a.loss, { steps: settings.gradientSteps, checkpoints: settings.gradientCheckpoints, seed: i + 1, probe }))]));
  }, log);
  const gradients = new Map<string, GradientCurve[]>(Object.entries(curves));

  // Seconds compare only under one load: every arm timed back to back here, after the trials.
  // One round (v2) keeps v2's key, so its committed timing record still reads.
  const rounds = settings.timingRounds ?? 1;
  const timingKey = hashOf({ arms: arms.map((a) => [a.loss, a.overrides]), steps: settings.timingSteps, ...(rounds > 1 ? { rounds, warmUp: 1 } : {}) }, 8);
  const timing = await recorded(o.records, `_study-timing-${timingKey}.json`, async () => {
    log(`timing: each arm's ring8 preset for ${settings.timingSteps} G steps, one after another in this process${rounds > 1 ? ` (a warm-up run, then ${rounds} rounds)` : ''}`);
    const secondsPerStep = await timeArms(arms, rounds, (arm) => secondsPerStep_(arm, settings.timingSteps, join(dir, 'timing', arm.name)));
    const how = rounds > 1 ? `after one warm-up run, ${rounds} rounds (each starting one arm further on), the median per arm` : 'every arm back to back in one process';
    return { note: `measured by this study on ${new Date().toISOString().slice(0, 10)}, ${how}`, secondsPerStep };
  }, log);
  const perStep = timing.secondsPerStep;

  // Each run's log, read once.
  const logs = new Map<string, MetricsRow[]>();
  const metricsOf = (t: Trial) => {
    let rows = logs.get(t.dir);
    if (!rows) logs.set(t.dir, (rows = existsSync(t.dir) ? new RunFolder(t.dir).readMetrics() : []));
    return rows;
  };
  const statusOf = (t: Trial): RunOutcome['status'] => {
    if (foreign.has(t)) return 'pending';
    if (failed.has(t)) return 'failed';
    const row = db.get(t.dir);
    return row?.status === 'finished' ? 'finished' : row?.status === 'diverged' ? 'failed' : 'pending';
  };
  const outcome = (t: Trial): RunOutcome => {
    const status = statusOf(t);
    const total = t.data === 'grid25' ? 25 : 8;
    const final = db.get(t.dir)?.final as PointColumns | null | undefined;
    if (status !== 'finished' || !final) return { status: status === 'finished' ? 'failed' : status, modes: 0, totalModes: total, hq: 0, sw: Infinity, stepsToTarget: Infinity };
    const rows = metricsOf(t);
    const sw = final.slicedWasserstein;
    // Claim 9: −L_D against the exact W₁ where it was logged (plot steps), else the sliced W₁ (every log).
    const w1Rows = rows.filter((r) => typeof r.exactW1 === 'number');
    const [qRows, measure, q] = w1Rows.length >= 4 ? [w1Rows, 'exact W₁' as const, (r: MetricsRow) => r.exactW1!] : [rows.filter((r) => typeof r.slicedWasserstein === 'number'), 'sliced W₁' as const, (r: MetricsRow) => r.slicedWasserstein!];
    const gated = rows.some((r) => typeof r.modesCoveredGated === 'number');
    const hit = rows.find((r) => (gated ? r.modesCoveredGated : r.modesCovered) === total && (r.highQualityShare ?? 0) >= LEARNT_HQ);
    return {
      status,
      modes: final.modesCovered ?? 0,
      modesGated: final.modesCoveredGated,
      totalModes: total,
      hq: final.highQualityShare ?? 0,
      sw: typeof sw === 'number' && Number.isFinite(sw) ? sw : Infinity,
      w1: final.exactW1,
      tracking: qRows.length >= 4 ? detrendedCorrelation(qRows.map(lossEstimate), qRows.map(q)) : undefined,
      trackingMeasure: measure,
      stepsToTarget: hit ? hit.step : Infinity,
    };
  };
  const imageOutcome = (t: Trial): ImageOutcome => {
    const status = statusOf(t);
    const fid = (db.get(t.dir)?.final as { fid?: number } | null | undefined)?.fid;
    return { status: status === 'finished' && typeof fid === 'number' && Number.isFinite(fid) ? 'finished' : status === 'pending' ? 'pending' : 'failed', fid: status === 'finished' && typeof fid === 'number' && Number.isFinite(fid) ? fid : status === 'pending' ? NaN : Infinity, config: t.config! };
  };
  const allArms = [...new Map([...arms, ...robustArms, ...(ir?.arms ?? []).map(armByName), ...(st?.arms ?? []).map(armByName)].map((a) => [a.name, a])).values()];
  const results: ArmResult[] = allArms.map((arm) => {
    const r: ArmResult = { arm: arm.name, loss: arm.loss, role: arm.role, runs: {}, secondsPerStep: perStep[arm.name] ?? NaN, robust: {}, gradients: gradients.get(arm.name), images: bench.trials.get(arm.name) };
    for (const t of trials.filter((x) => x.arm.name === arm.name)) {
      if (t.experiment === 'modes') (r.runs[t.data] ??= []).push(outcome(t));
      if (t.experiment === 'robustness') (r.robust[t.data] ??= []).push(outcome(t));
      if (t.experiment === 'stress') ((r.stress ??= {})[t.condition!] ??= []).push(outcome(t));
      if (t.experiment === 'images') (r.robustImages ??= []).push(imageOutcome(t));
    }
    return r;
  });
  const claims = verdicts(results, settings);
  const pending = trials.filter((t) => statusOf(t) === 'pending').length;
  const fashion = o.fashion ? { file: relative(process.cwd(), resolve(o.fashion)), note: bench.note } : undefined;
  const result: StudyResult = {
    settings,
    results,
    claims,
    robustnessConfigs: robustness.map(describeConfig),
    imageConfigs: imageConfigs.map(describeImageConfig),
    dir,
    seconds: (Date.now() - started) / 1000,
    trials: { total: trials.length, pending },
    timing: timing.note,
    fashion,
    torch,
  };
  // Paths in what is written are relative to where the study ran, so committed reports hold no machine's paths.
  writeFileAtomic(join(dir, 'results.json'), JSON.stringify({ ...result, dir: relative(process.cwd(), dir) || '.' }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1) + '\n');
  const traceArms = ['ns', 'wgan', 'wgan-gp'];
  writeStudyReport(result, trials.filter((t) => t.experiment === 'modes' && t.seed === 1 && t.data === 'ring8' && traceArms.includes(t.arm.name)).map((t) => ({ loss: t.arm.name, metrics: foreign.has(t) ? [] : metricsOf(t) })));
  db.close();
  return result;
}
