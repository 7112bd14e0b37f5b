/**
 * One training run as a trial of a study or benchmark: its config overrides and its folder. It
 * runs here (`runTrial`) or, from a pool of worker processes, as this module's own process
 * (`node trial.js SPEC_JSON`, see src/study/pool.ts) — never through the CLI's flags.
 *
 * A trial whose folder already has a summary.json is done: its summary is returned as is, so a
 * re-run of a study or sweep reuses what finished (runs are deterministic).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initEngine } from '../engine/index.js';
import { InputError, RunStoppedError } from '../errors.js';
import { workloadOf } from '../kinds/index.js';
import { RunFolder, RunSummary } from '../runfolder/index.js';
import { resolveConfig } from '../train/config.js';
import { DivergenceError } from '../train/divergence.js';
import { readRunConfig, resumeRun, startRecordedEngine, startRun } from './run.js';
import type { Progress, RunHooks } from './run.js';

export interface TrialSpec {
  /** Config overrides, as a config file would hold them. */
  overrides: Record<string, unknown>;
  /** The trial's run folder. */
  dir: string;
}

/** This module's file: the entry a worker process runs. */
export const TRIAL_ENTRY = fileURLToPath(import.meta.url);

/** A trial is done when its run has ended (RunFolder.endedSummary). */
export function trialResult(dir: string): RunSummary | null {
  return new RunFolder(dir).endedSummary();
}

/**
 * Runs the trial in this process (engine on the config's backend; threads from GANKIT_THREADS) and
 * returns its summary. A folder that holds the trial's run already (a worker died, a disk filled
 * up) is resumed — runs are deterministic, so the result is the same.
 */
export async function runTrial(spec: TrialSpec, hooks: RunHooks = {}): Promise<RunSummary> {
  const done = trialResult(spec.dir);
  if (done) return done;
  const folder = new RunFolder(spec.dir);
  const config = resolveConfig(spec.overrides);
  const workload = workloadOf(config);
  // A pool's share of the cores for an image trial (GANKIT_THREADS, if set, wins in initEngine).
  const share = process.env.GANKIT_TRIAL_THREADS;
  const cores = workload === 'images' && share ? Number(share) : undefined;
  // A run begun already continues on what it recorded (backend, kernels, threads), or not at all.
  const recorded = folder.isRun() ? readRunConfig(spec.dir) : null;
  if (recorded) await startRecordedEngine(spec.dir, recorded, cores);
  else await initEngine({ backend: config.backend, workload, cores });
  try {
    if (recorded) await resumeRun(spec.dir, hooks, undefined, recorded);
    else await startRun(config, spec.dir, hooks);
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e; // a diverged run is a result: its summary says so
  }
  return folder.readSummary()!;
}

async function main(arg: string | undefined): Promise<number> {
  let spec: TrialSpec;
  try {
    spec = JSON.parse(arg ?? '');
  } catch {
    console.error('trial: expects one argument, the trial as JSON: {"overrides": {…}, "dir": "…"}');
    return 2;
  }
  // A caller that dies (SIGKILL, or a SIGTERM to its own process group, which does not reach this
  // detached one) cannot stop its trial: the trial notices and stops itself between two steps as a
  // SIGTERM would, so summary.json says "interrupted" and at which step, the lock is released and
  // the checkpoint is kept for whichever caller takes the trial next.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 500).unref();
  try {
    // Progress for the pool or worker: one JSON line per logged step.
    const onProgress = (p: Progress) => {
      if (p.eval) process.stdout.write(JSON.stringify({ progress: { step: p.step, steps: p.steps } }) + '\n');
    };
    const summary = await runTrial(spec, { onProgress });
    process.stdout.write(JSON.stringify({ status: summary.status }) + '\n');
    return 0;
  } catch (e) {
    console.error(e instanceof InputError ? `gankit: error: ${e.message}` : e instanceof RunStoppedError ? `gankit: ${e.message}` : e instanceof Error ? e.stack : String(e));
    return e instanceof InputError ? 2 : e instanceof RunStoppedError ? 3 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2]).then((code) => process.exit(code));
}
