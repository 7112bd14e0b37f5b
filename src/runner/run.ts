/**
 * A run folder's life: start (the data loaded and checked before anything is written), the loop
 * around the trainer (metrics rows, pictures, checkpoints, divergence), resume from the last
 * checkpoint, and open for `gankit sample` / `gankit eval`. The folder's format belongs to
 * src/runfolder; what is measured and drawn belongs to the data kind (src/kinds).
 */
import { basename } from 'node:path';
import { createTask, RunTask, workloadOf } from '../kinds/index.js';
import { metricPanels, panelsSvg, svgToPng } from '../report/plots.js';
import { checkFingerprint, metricColumns, MetricsRow, RunFolder, RunFolderError, RUN_FILES, runFingerprint } from '../runfolder/index.js';
import type { BestRecord, CheckpointHeader } from '../runfolder/index.js';
import { ConfigError, RunStoppedError } from '../errors.js';
import { WriteError } from '../io/atomic.js';
import { whenInterrupted } from '../io/lock.js';
import { validateConfig } from '../train/config.js';
import type { RunConfig } from '../train/config.js';
import { StepStats, Trainer } from '../train/trainer.js';
import { DivergenceError } from '../train/divergence.js';
import { BackendError, computeSettings, engineState, initEngine } from '../engine/index.js';

export { RunFolderError, runFingerprint } from '../runfolder/index.js';
export type { BestRecord, CheckpointHeader } from '../runfolder/index.js';

export interface Progress {
  step: number;
  steps: number;
  stepsPerSecond: number;
  stats: StepStats;
  /** The row logged at this step, if one was. */
  eval?: MetricsRow;
  /** The data kind's latest quality measure, when this step logged one ("modes 8/8 HQ 61%", "FID 35.2"). */
  quality?: string;
}

/** Where a run stood when SIGINT or SIGTERM ended it (summary.json says the same). */
export interface Interruption {
  signal: 'SIGINT' | 'SIGTERM';
  dir: string;
  /** The generator steps done, and the step of the checkpoint a resume continues from. */
  step: number;
  steps: number;
  lastCheckpointStep: number;
  checkpoint: string;
}

export interface RunHooks {
  onProgress?(p: Progress): void;
  /** Before the data is loaded and the networks built (image data, the feature network and the real-vs-real baseline take seconds). */
  onLoading?(): void;
  /** Loaded: the first step of this process is next, from `step` (0, or the checkpoint's) to `steps`. */
  onStart?(start: { step: number; steps: number; loadSeconds: number }): void;
  /** SIGINT/SIGTERM between two steps, after summary.json recorded it; the process then ends (exit 130 or 143). */
  onInterrupt?(i: Interruption): void;
  /** Stop (as if killed) after this many steps of this process — for tests. */
  stopAfter?: number;
}

export interface RunResult {
  status: 'finished' | 'stopped';
  dir: string;
  steps: number;
  elapsed: number;
  final: MetricsRow | null;
  /** What the final row says, in the data kind's words (one line each). */
  description: string[];
  /** The weights' checksum at the end (Trainer.checksum; the playground page shows the same). */
  checksum?: string;
}

export const CHECKPOINT = RUN_FILES.checkpoint;

/**
 * A run folder's config.json with `overrides` applied (e.g. more steps for resume), validated —
 * the one place a stored config enters.
 */
export function readRunConfig(dir: string, overrides: Partial<RunConfig> = {}): RunConfig {
  const config = { ...new RunFolder(dir).readConfig(), ...overrides } as unknown as RunConfig;
  validateConfig(config);
  return config;
}

/**
 * Runs `work`, then `dispose` — whose own error must not hide the first one (after a wasm
 * out-of-memory, disposing fails too).
 */
export async function disposing<T>(work: () => Promise<T>, dispose: () => void): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (e) {
    try {
      dispose();
    } catch {
      // the error already on its way is the one that says what happened
    }
    throw e;
  }
  dispose();
  return result;
}

/** Creates a new run folder and trains. Refuses a folder that already holds a run. */
export async function startRun(config: RunConfig, dir: string, hooks: RunHooks = {}): Promise<RunResult> {
  hooks.onLoading?.();
  const loading = performance.now();
  const task = await createTask(config); // loads and checks the data before anything is written
  const loadSeconds = (performance.now() - loading) / 1000;
  return disposing(
    async () => {
      const folder = new RunFolder(dir);
      const made = folder.create();
      const lock = folder.lock('gankit train');
      if (folder.isRun()) {
        lock.release();
        throw new RunFolderError(`${dir}: a run was started here meanwhile (use 'gankit resume --run ${dir}' to continue it, or choose another --out)`);
      }
      try {
        // What this process computes with (the caller started the engine; a backend that could
        // not start fell back to cpu): resume reuses it.
        config.backend = engineState().backend;
        config.compute = computeSettings();
        folder.writeConfig(config);
        return await train(task, folder, 0, hooks, loadSeconds);
      } catch (e) {
        // A start that failed before its first step (out of memory, config.json not written) takes
        // back what it wrote, so that `train` can start again there; a run stopped by a full disk
        // or one that diverged is a run, kept for resume and for its summary.
        if (task.trainer.step === 0 && !(e instanceof RunStoppedError) && !(e instanceof DivergenceError)) {
          lock.release();
          folder.discard(made);
        }
        throw e;
      } finally {
        lock.release();
      }
    },
    () => task.dispose(),
  );
}

export interface OpenedRun {
  task: RunTask;
  trainer: Trainer;
  config: RunConfig;
  /** The checkpoint's header, or null when the run has none yet. */
  header: CheckpointHeader | null;
}

/**
 * Loads a run's config (or the one given, already read) and its latest checkpoint into a task.
 * A checkpoint of another run, or one that does not fit the networks, is one error naming it.
 */
export async function openRun(dir: string, config: RunConfig = readRunConfig(dir), options: { evaluate?: boolean; best?: boolean } = {}): Promise<OpenedRun> {
  const folder = new RunFolder(dir);
  const which = options.best ? 'best' : 'checkpoint';
  if (options.best && !folder.hasCheckpoint('best')) throw new RunFolderError(`${folder.path('best')}: not there (image runs keep the checkpoint with the lowest FID once one is measured)`);
  const task = await createTask(config, options);
  let header: CheckpointHeader | null = null;
  if (folder.hasCheckpoint(which)) {
    try {
      const ckpt = folder.loadCheckpoint<CheckpointHeader>(which);
      checkFingerprint(folder, ckpt.header, config, which);
      try {
        task.trainer.restore(ckpt.header, ckpt.arrays);
      } catch (e) {
        throw new RunFolderError(`${folder.path(which)}: does not fit the run in config.json (${(e as Error).message.replace(/^checkpoint: /, '')})`);
      }
      header = ckpt.header;
    } catch (e) {
      try {
        task.dispose();
      } catch {
        // keep the first error
      }
      throw e;
    }
  }
  return { task, trainer: task.trainer, config, header };
}

/**
 * Starts the engine a run recorded in config.json (its backend, native kernels and threads) to
 * continue it. A backend that cannot start here is refused, not replaced: on another the run would
 * not continue bit-identically. `cores`: a pool's share for one trial.
 */
export async function startRecordedEngine(dir: string, config: RunConfig, cores?: number): Promise<void> {
  try {
    await initEngine({ backend: config.backend, workload: workloadOf(config), compute: config.compute, fallback: false, cores });
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    throw new RunFolderError(`${new RunFolder(dir).path('config')}: backend: the run ran on ${e.backend}, which cannot start here (${e.reason}); on another backend it would not continue bit-identically (set another backend in config.json to continue anyway)`);
  }
}

/**
 * Continues a run from its last checkpoint up to config.steps, or to `steps` (never fewer than the
 * checkpoint has: config.json is only rewritten with what runs). `config`: the run's, already
 * read with those steps. Takes the run's lock.
 */
export async function resumeRun(dir: string, hooks: RunHooks = {}, steps?: number, config: RunConfig = readRunConfig(dir, steps !== undefined ? { steps } : {})): Promise<RunResult> {
  const folder = new RunFolder(dir);
  const lock = folder.lock('gankit resume');
  try {
    hooks.onLoading?.();
    const loading = performance.now();
    const { task, header } = await openRun(dir, config);
    const loadSeconds = (performance.now() - loading) / 1000;
    return await disposing(
      async () => {
        const from = header?.step ?? 0;
        if (steps !== undefined && steps < from) throw new ConfigError('--steps', `the run is at step ${from} already; give ${from} or more`);
        if (steps !== undefined) folder.writeConfig(config);
        // Rows logged after the checkpoint belong to the lost part of the run: drop them (and a row torn by the kill).
        const rows = folder.readMetrics();
        if (rows.some((row) => row.step > from) || folder.hasMetricsTail()) folder.writeMetrics(rows.filter((row) => row.step <= from));
        return await train(task, folder, header?.elapsed ?? 0, hooks, loadSeconds);
      },
      () => task.dispose(),
    );
  } finally {
    lock.release();
  }
}

/**
 * metrics.png as SVG: a chart for each panel of the metric table that the rows hold, `reference`
 * (real data against itself, by column) dashed.
 */
export function metricsSvg(rows: readonly MetricsRow[], title: string, reference: Record<string, number> = {}): string {
  return panelsSvg(title, metricPanels(rows, metricColumns(), reference));
}

function metricsPng(folder: RunFolder, rows: MetricsRow[], title: string, task: RunTask): void {
  folder.writeFile(RUN_FILES.metricsPlot, svgToPng(metricsSvg(rows, title, task.reference())));
}

/** The step of the checkpoint the folder holds, read back and verified (its checksum); null when none is whole. */
export function lastCheckpointStep(folder: RunFolder): number | null {
  try {
    return folder.loadCheckpoint<CheckpointHeader>().header.step;
  } catch {
    return null;
  }
}

/** What a stopped run keeps, in words. */
const kept = (folder: RunFolder, step: number | null): string =>
  step === null ? `no whole checkpoint is left in ${folder.path('checkpoint')}` : `the last good checkpoint (step ${step}) is kept in ${folder.path('checkpoint')}`;

/** Where the loop stands, for an interruption: the step of the last checkpoint written, and the seconds trained. */
interface RunPosition {
  checkpointStep: number;
  elapsed: () => number;
}

/**
 * Trains the task in its folder; a file that cannot be written (a full disk, a read-only one)
 * stops the run with summary.json saying so and the last good checkpoint kept.
 */
async function train(task: RunTask, folder: RunFolder, elapsedBefore: number, hooks: RunHooks, loadSeconds: number): Promise<RunResult> {
  // The checkpoint a resume continues from: the one restored (or written at step 0), then each one the loop writes.
  const position: RunPosition = { checkpointStep: task.trainer.step, elapsed: () => elapsedBefore };
  // Ctrl-C (or SIGTERM) between two steps: summary.json says where the run stood; the CLI says what resumes it.
  const unhook = whenInterrupted((signal) => {
    const { step, config } = task.trainer;
    folder.writeSummary({ status: 'interrupted', signal, step, elapsed: Number(position.elapsed().toFixed(2)), lastGoodCheckpointStep: position.checkpointStep });
    hooks.onInterrupt?.({ signal, dir: folder.dir, step, steps: config.steps, lastCheckpointStep: position.checkpointStep, checkpoint: folder.path('checkpoint') });
  });
  try {
    return await loop(task, folder, elapsedBefore, hooks, loadSeconds, position);
  } catch (e) {
    if (!(e instanceof WriteError)) throw e;
    const { step } = task.trainer;
    const last = lastCheckpointStep(folder);
    try {
      folder.writeSummary({ status: 'stopped', step, what: e.message, lastGoodCheckpointStep: last });
    } catch {
      // the disk that refused the write may refuse this one too; the error below says it all
    }
    throw new RunStoppedError(`run stopped at step ${step}: ${e.message}; ${kept(folder, last)}`);
  } finally {
    unhook();
  }
}

/** best.bin's record, if it is of a step the run has reached (a resume re-runs later steps and rewrites it). */
function bestRecord(folder: RunFolder, step: number): BestRecord | null {
  if (!folder.hasCheckpoint('best')) return null;
  try {
    const record = folder.loadCheckpoint<CheckpointHeader>('best').header.best;
    return record && record.step <= step ? record : null;
  } catch {
    return null; // unreadable: the next better FID replaces it
  }
}

async function loop(task: RunTask, folder: RunFolder, elapsedBefore: number, hooks: RunHooks, loadSeconds: number, position: RunPosition): Promise<RunResult> {
  const { trainer } = task;
  const { config } = trainer;
  const started = performance.now();
  const elapsed = () => elapsedBefore + (performance.now() - started) / 1000;
  const stepsAtStart = trainer.step;
  let lastRow: MetricsRow | null = null;
  const rows = folder.readMetrics();
  const run = runFingerprint(config);
  const checkpoint = (best?: BestRecord) => {
    const { header, arrays } = trainer.snapshot();
    folder.saveCheckpoint<CheckpointHeader>({ ...header, elapsed: elapsed(), run, ...(best ? { best } : {}) }, arrays, best ? 'best' : 'checkpoint');
    if (!best) position.checkpointStep = header.step;
  };
  // The best value so far of the column the data kind keeps best.bin by (image runs: FID): from
  // best.bin, unless it is of steps a resume is re-running.
  const bestBy = task.bestCheckpointBy;
  let best = bestBy ? bestRecord(folder, trainer.step) : null;
  if (trainer.step === 0 && !folder.hasCheckpoint()) checkpoint(); // step 0: resumable from the start
  position.elapsed = elapsed;
  hooks.onStart?.({ step: trainer.step, steps: config.steps, loadSeconds });
  let yielded = performance.now();
  while (trainer.step < config.steps) {
    // A step is synchronous; between steps let the event loop run (signals, a worker's lock renewal, IPC).
    if (performance.now() - yielded > 100) {
      await new Promise((resolve) => setImmediate(resolve));
      yielded = performance.now();
    }
    let stats: StepStats;
    try {
      // On a device (webgpu) the step runs there and reads its scalars asynchronously.
      stats = await trainer.trainStepAsync();
    } catch (e) {
      if (e instanceof DivergenceError) {
        const last = lastCheckpointStep(folder);
        folder.writeSummary({ status: 'diverged', step: e.step, what: e.what, lastGoodCheckpointStep: last });
        throw new DivergenceError(e.step, e.what, e.reason, kept(folder, last));
      }
      throw e;
    }
    const step = trainer.step;
    const last = step === config.steps;
    let row: MetricsRow | undefined;
    let quality: string | undefined;
    const plotStep = step % config.plotEvery === 0 || last;
    const logStep = step % config.logEvery === 0 || plotStep;
    const checkpointStep = step % config.checkpointEvery === 0 || last;
    const stopping = hooks.stopAfter !== undefined && step - stepsAtStart >= hooks.stopAfter && !last;
    // Evaluation, pictures and checkpoints (best.bin at plot steps) run on the host: fetch what they
    // read from a device first.
    if (logStep || checkpointStep || stopping) await trainer.hostReady(checkpointStep || plotStep);
    if (logStep) {
      const ev = task.evaluate(step, plotStep);
      const { diagnostics, ...rest } = stats;
      row = { ...rest, ...diagnostics, elapsed: Number(elapsed().toFixed(3)), ...ev.metrics } as MetricsRow;
      folder.appendMetrics(row);
      rows.push(row);
      lastRow = row;
      quality = task.progress(row) ?? undefined;
      const value = bestBy ? row[bestBy.name] : undefined;
      if (bestBy && typeof value === 'number' && Number.isFinite(value) && (!best || (bestBy.better === 'higher' ? value > best[bestBy.name] : value < best[bestBy.name]))) {
        best = { step, [bestBy.name]: value } as BestRecord;
        checkpoint(best);
      }
      if (plotStep) {
        for (const [path, png] of task.pictures(step, ev, basename(folder.dir))) folder.writeFile(path, png);
        metricsPng(folder, rows, `${config.variant ?? config.loss} on ${task.dataName}`, task);
      }
    }
    if (checkpointStep) checkpoint();
    const seconds = (performance.now() - started) / 1000;
    hooks.onProgress?.({ step, steps: config.steps, stepsPerSecond: (step - stepsAtStart) / Math.max(seconds, 1e-9), stats, eval: row, quality });
    if (stopping) {
      return { status: 'stopped', dir: folder.dir, steps: step, elapsed: elapsed(), final: lastRow, description: task.describe(lastRow) };
    }
  }
  const final = lastRow ?? rows[rows.length - 1] ?? null;
  const checksum = trainer.checksum();
  folder.writeSummary({ status: 'finished', steps: trainer.step, elapsed: Number(elapsed().toFixed(2)), final, weightsChecksum: checksum, ...task.summary() });
  return { status: 'finished', dir: folder.dir, steps: trainer.step, elapsed: elapsed(), final, description: task.describe(final), checksum };
}
