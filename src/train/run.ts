/**
 * A run folder and the loop around the trainer: config.json, metrics.jsonl, plots, checkpoints,
 * resume, and divergence handling. The folder is created only once the config and the data have
 * been validated, so a bad option leaves nothing behind.
 *
 *   DIR/config.json         the full resolved config
 *   DIR/metrics.jsonl       one JSON row per logged step
 *   DIR/checkpoint.bin      the latest checkpoint (atomic; see checkpoint.ts)
 *   DIR/samples/step-N.png  2-D: real vs generated over D's field, with the generator's arrows;
 *                           images: a sample grid (conditional: one row per class; InfoGAN: plus
 *                           step-N-code-*.png traversals)
 *   DIR/metrics.png         losses, Wasserstein estimate, modes / FID…, gradient norms
 *   DIR/summary.json        final status and metrics
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../engine/index.js';
import { RunConfig, validateConfig } from './config.js';
import { DivergenceError, StepStats, toyTrainer, Trainer, TrainerState } from './trainer.js';
import type { RunTask, Evaluation, MetricsRowLike } from './task.js';
import { ImageTask } from './imageTask.js';
import { isImageData } from '../data/imageData.js';
import { loadCheckpoint, saveCheckpoint, writeFileAtomic } from './checkpoint.js';
import { evaluateModes, ModeReport } from '../metrics/modes.js';
import { slicedWasserstein } from '../metrics/distance.js';
import type { Toy2D } from '../data/toy2d.js';
import { InputError } from '../errors.js';
import { Extent, Panel, panelsSvg, scatterSvg, svgToPng } from '../report/plots.js';

export interface MetricsRow extends Omit<StepStats, 'diagnostics'> {
  /** Seconds of training so far (cumulative across resumes). */
  elapsed: number;
  [diagnostic: string]: number | null | number[] | undefined;
  modesCovered?: number;
  totalModes?: number;
  highQualityShare?: number;
  reverseKL?: number | null;
  slicedWasserstein?: number;
  fid?: number;
}

export interface Progress {
  step: number;
  steps: number;
  stepsPerSecond: number;
  stats: StepStats;
  eval?: MetricsRow;
}

export interface RunHooks {
  onProgress?(p: Progress): void;
  /** Stop (as if killed) after this many steps of this process — for tests. */
  stopAfter?: number;
}

export interface RunResult {
  status: 'finished' | 'stopped';
  dir: string;
  steps: number;
  elapsed: number;
  final: MetricsRow | null;
}

interface CheckpointHeader extends TrainerState {
  optD: number;
  optG: number;
  elapsed: number;
}

export const CHECKPOINT = 'checkpoint.bin';

/** Creates a new run folder and trains. Refuses a folder that already holds a run. */
export async function startRun(config: RunConfig, dir: string, hooks: RunHooks = {}): Promise<RunResult> {
  validateConfig(config);
  const task = await buildTask(config); // loads and checks the data before anything is written
  try {
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new RunFolderError(`${dir}: folder exists and is not empty (use 'gankit resume --run ${dir}' to continue a run, or choose another --out)`);
    }
    mkdirSync(join(dir, 'samples'), { recursive: true });
    writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    return await loop(task, dir, 0, hooks);
  } finally {
    task.dispose();
  }
}

/** The task for a config: 2-D points or images. */
export async function buildTask(config: RunConfig, options: { evaluate?: boolean } = {}): Promise<RunTask> {
  if (isImageData(config.data.name)) return ImageTask.create(config, options);
  const { trainer, data } = toyTrainer(config);
  return new ToyTask(trainer, data);
}

export class RunFolderError extends InputError {}

export function readRunConfig(dir: string): RunConfig {
  const path = join(dir, 'config.json');
  let parsed: RunConfig;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RunFolderError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not a gankit run folder (no config.json)' : `malformed JSON (${(e as Error).message})`}`);
  }
  validateConfig(parsed);
  return parsed;
}

/** Loads a run's config and latest checkpoint into a task (for resume, sample, eval). */
export async function openRun(dir: string, overrides: Partial<RunConfig> = {}, options: { evaluate?: boolean } = {}): Promise<{ task: RunTask; trainer: Trainer; config: RunConfig; header: CheckpointHeader | null }> {
  const config = { ...readRunConfig(dir), ...overrides };
  validateConfig(config);
  const task = await buildTask(config, options);
  const trainer = task.trainer;
  const path = join(dir, CHECKPOINT);
  let header: CheckpointHeader | null = null;
  if (existsSync(path)) {
    try {
      const ckpt = loadCheckpoint<CheckpointHeader>(path);
      trainer.restore(ckpt.header, ckpt.arrays);
      header = ckpt.header;
    } catch (e) {
      task.dispose();
      throw e;
    }
  }
  return { task, trainer, config, header };
}

/** Continues a run from its last checkpoint up to config.steps (or a new `steps`). */
export async function resumeRun(dir: string, hooks: RunHooks = {}, steps?: number): Promise<RunResult> {
  const { task, config, header } = await openRun(dir, steps ? { steps } : {});
  try {
    if (steps) writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    const from = header?.step ?? 0;
    // Rows logged after the checkpoint belong to the lost part of the run: drop them.
    const metricsPath = join(dir, 'metrics.jsonl');
    if (existsSync(metricsPath)) {
      const kept = readFileSync(metricsPath, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .filter((line) => {
          try {
            return (JSON.parse(line) as MetricsRow).step <= from;
          } catch {
            return false; // a row torn by the kill
          }
        });
      writeFileAtomic(metricsPath, kept.map((l) => l + '\n').join(''));
    }
    return await loop(task, dir, header?.elapsed ?? 0, hooks);
  } finally {
    task.dispose();
  }
}

/** A fixed evaluation stream per step: metrics never touch the training RNG. */
const evalRng = (step: number, salt: number) => new Rng((0x9e3779b1 * (step + 1) + salt) >>> 0);

export function evaluate(trainer: Trainer, data: Toy2D, n: number, step: number): { modes: ModeReport | null; sw: number; fake: Float32Array; real: Float32Array } {
  const fake = trainer.sample(n, evalRng(step, 1));
  const real = data.sample(evalRng(step, 2), n);
  return { modes: data.modes ? evaluateModes(fake, data.modes) : null, sw: slicedWasserstein(fake, real), fake, real };
}

function dataExtent(data: Toy2D, real: Float32Array): Extent {
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  const points = data.modes ? data.modes.centers.flat() : Array.from(real);
  for (let i = 0; i < points.length; i += 2) {
    xMin = Math.min(xMin, points[i]);
    xMax = Math.max(xMax, points[i]);
    yMin = Math.min(yMin, points[i + 1]);
    yMax = Math.max(yMax, points[i + 1]);
  }
  const m = 0.25 * Math.max(xMax - xMin, yMax - yMin, 1);
  const cx = (xMin + xMax) / 2;
  const cy = (yMin + yMax) / 2;
  const half = Math.max(xMax - xMin, yMax - yMin) / 2 + m;
  return { xMin: cx - half, xMax: cx + half, yMin: cy - half, yMax: cy + half };
}

/** The scatter picture for the current generator (used during training and by `gankit sample --png`). */
export function scatterPng(trainer: Trainer, data: Toy2D, step: number, fake: Float32Array, real: Float32Array, subtitle: string): Buffer {
  const extent = dataExtent(data, real);
  const res = 48;
  const grid = new Float32Array(2 * res * res);
  for (let j = 0; j < res; j++) {
    for (let i = 0; i < res; i++) {
      grid[2 * (j * res + i)] = extent.xMin + ((i + 0.5) / res) * (extent.xMax - extent.xMin);
      grid[2 * (j * res + i) + 1] = extent.yMin + ((j + 0.5) / res) * (extent.yMax - extent.yMin);
    }
  }
  const arrowPoints = fake.slice(0, 2 * 96);
  const kind = trainer.loss.discriminator;
  const svg = scatterSvg({
    real: real.slice(0, 2 * 1000),
    fake: fake.slice(0, 2 * 1000),
    extent,
    title: `${trainer.config.loss} on ${data.name} — step ${step}`,
    subtitle,
    field: { values: trainer.field(grid), res, label: kind === 'logit' ? 'σ(D(x)): P(real)' : kind === 'autoencoder' ? 'D: reconstruction error' : 'critic score D(x)' },
    arrows: { points: arrowPoints, directions: trainer.generatorPush(arrowPoints, evalRng(step, 3)) },
    modes: data.modes?.centers,
  });
  return svgToPng(svg);
}

function metricsPng(dir: string, rows: MetricsRow[], title: string, task: RunTask): void {
  const xs = rows.map((r) => r.step);
  const col = (k: string) => rows.map((r) => (typeof r[k] === 'number' ? (r[k] as number) : null));
  const has = (k: string) => rows.some((r) => typeof r[k] === 'number' && r[k] !== 0);
  const panel = (title: string, yLabel: string, ...series: Array<[string, string]>) => ({ title, yLabel, series: series.map(([name, k]) => ({ name, xs, ys: col(k) })) });
  const panels = [
    panel('losses', 'loss', ['D', 'dLoss'], ['G', 'gLoss']),
    has('wassersteinEstimate')
      ? panel('Wasserstein estimate −L_D (critic)', 'E[D(x)] − E[D(G(z))]', ['W', 'wassersteinEstimate'])
      : panel('mean D output', 'D', ['real', 'realScore'], ['generated', 'fakeScore']),
    ...task.panels(rows as MetricsRowLike[], panel),
    ...(has('penalty') ? [panel('gradient penalty', 'penalty', ['penalty', 'penalty'])] : []),
    ...(has('k') ? [panel('BEGAN balance', 'value', ['k', 'k'], ['M_global', 'convergence'])] : []),
    ...(has('mutualInformation') ? [panel('InfoGAN bound L_I', 'nats', ['L_I', 'mutualInformation'])] : []),
    ...(has('auxClassLoss') ? [panel('ACGAN class loss (D, real + fake)', 'CE', ['CE', 'auxClassLoss'])] : []),
    panel('gradient norms', '‖∇‖', ['D', 'gradNormD'], ['G', 'gradNormG']),
  ];
  writeFileAtomic(join(dir, 'metrics.png'), svgToPng(panelsSvg(title, panels)));
}

function readRows(dir: string): MetricsRow[] {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MetricsRow);
}

async function loop(task: RunTask, dir: string, elapsedBefore: number, hooks: RunHooks): Promise<RunResult> {
  const { trainer } = task;
  const { config } = trainer;
  const started = performance.now();
  const elapsed = () => elapsedBefore + (performance.now() - started) / 1000;
  const stepsAtStart = trainer.step;
  let lastRow: MetricsRow | null = null;
  const rows = readRows(dir);
  const checkpoint = () => {
    const { header, arrays } = trainer.snapshot();
    saveCheckpoint<CheckpointHeader>(join(dir, CHECKPOINT), { ...header, elapsed: elapsed() }, arrays);
  };
  if (trainer.step === 0 && !existsSync(join(dir, CHECKPOINT))) checkpoint(); // step 0: resumable from the start
  while (trainer.step < config.steps) {
    let stats: StepStats;
    try {
      stats = trainer.trainStep();
    } catch (e) {
      if (e instanceof DivergenceError) {
        const last = existsSync(join(dir, CHECKPOINT)) ? loadCheckpoint<CheckpointHeader>(join(dir, CHECKPOINT)).header.step : 0;
        writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ status: 'diverged', step: e.step, what: e.what, lastGoodCheckpointStep: last }, null, 2) + '\n');
        throw new DivergenceError(e.step, e.what, `the last good checkpoint (step ${last}) is kept in ${join(dir, CHECKPOINT)}`);
      }
      throw e;
    }
    const step = trainer.step;
    const last = step === config.steps;
    let row: MetricsRow | undefined;
    const plotStep = step % config.plotEvery === 0 || last;
    if (step % config.logEvery === 0 || plotStep) {
      const ev = task.evaluate(step, plotStep);
      const { diagnostics, ...rest } = stats;
      row = { ...rest, ...diagnostics, elapsed: Number(elapsed().toFixed(3)), ...ev.metrics };
      appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(row) + '\n');
      rows.push(row);
      lastRow = row;
      if (plotStep) {
        for (const [path, png] of task.pictures(step, ev)) writeFileAtomic(join(dir, path), png);
        metricsPng(dir, rows, `${config.variant ?? config.loss} on ${task.dataName}`, task);
      }
    }
    if (step % config.checkpointEvery === 0 || last) checkpoint();
    const seconds = (performance.now() - started) / 1000;
    hooks.onProgress?.({ step, steps: config.steps, stepsPerSecond: (step - stepsAtStart) / Math.max(seconds, 1e-9), stats, eval: row });
    if (hooks.stopAfter !== undefined && step - stepsAtStart >= hooks.stopAfter && !last) {
      return { status: 'stopped', dir, steps: step, elapsed: elapsed(), final: lastRow };
    }
  }
  const final = lastRow ?? rows[rows.length - 1] ?? null;
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify({ status: 'finished', steps: trainer.step, elapsed: Number(elapsed().toFixed(2)), final, ...task.summary() }, null, 2) + '\n');
  return { status: 'finished', dir, steps: trainer.step, elapsed: elapsed(), final };
}

/** 2-D points: modes and sliced Wasserstein at every logged step, the scatter over D's field. */
export class ToyTask implements RunTask {
  private last: { fake: Float32Array; real: Float32Array } | null = null;
  constructor(
    readonly trainer: Trainer,
    readonly data: Toy2D,
  ) {}

  get dataName(): string {
    return this.data.name;
  }

  evaluate(step: number): Evaluation {
    const ev = evaluate(this.trainer, this.data, this.trainer.config.evalSamples, step);
    this.last = { fake: ev.fake, real: ev.real };
    const metrics: Record<string, number | null> = { slicedWasserstein: ev.sw };
    if (ev.modes) Object.assign(metrics, { modesCovered: ev.modes.modesCovered, totalModes: ev.modes.totalModes, highQualityShare: ev.modes.highQualityShare, reverseKL: ev.modes.reverseKL });
    const subtitle = ev.modes ? `${ev.modes.modesCovered}/${ev.modes.totalModes} modes, ${(100 * ev.modes.highQualityShare).toFixed(1)}% high quality` : `sliced W₁ ${ev.sw.toFixed(3)}`;
    return { metrics, subtitle };
  }

  pictures(step: number, evaluation: Evaluation): Array<[string, Buffer]> {
    const { fake, real } = this.last ?? evaluate(this.trainer, this.data, this.trainer.config.evalSamples, step);
    return [[`samples/step-${String(step).padStart(6, '0')}.png`, scatterPng(this.trainer, this.data, step, fake, real, evaluation.subtitle)]];
  }

  panels(rows: MetricsRowLike[], panel: (title: string, yLabel: string, ...series: Array<[string, string]>) => Panel): Panel[] {
    return [
      ...(rows.some((r) => typeof r.modesCovered === 'number')
        ? [panel('modes covered', 'modes', ['modes', 'modesCovered']), panel('high-quality samples (within 3σ)', 'share', ['HQ', 'highQualityShare'])]
        : []),
      panel('sliced Wasserstein to data', 'SW₁', ['SW', 'slicedWasserstein']),
    ];
  }

  summary(): Record<string, unknown> {
    return {};
  }

  dispose(): void {
    this.trainer.dispose();
  }
}
