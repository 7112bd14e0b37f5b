/**
 * A sweep, the same whichever executor runs it: the plan written to DIR/sweep.json (a re-run
 * finds its trials again and runs only what is not done), every trial run into DIR/trials/…,
 * progress as it comes, DIR/status.json kept up to date (for `gankit sweep status`), and each
 * trial folder indexed in DIR/runs.sqlite as it finishes (and again by `gankit sweep status`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { makeFolder, writeFileAtomic } from '../io/atomic.js';
import { inspectLock, lockFolder } from '../io/lock.js';
import type { LockHolder } from '../io/lock.js';
import { RunsDb } from '../runfolder/database.js';
import { trialResult } from '../runner/trial.js';
import type { RunSummary } from '../runfolder/index.js';
import type { TrialExecutor } from './executor.js';
import { foreignTrial, PLAN_FILE } from './plan.js';
import type { PlannedTrial, SweepPlan } from './plan.js';

export const SWEEP_FILES = { plan: PLAN_FILE, status: 'status.json', database: 'runs.sqlite' } as const;

interface TrialStatus {
  state: 'waiting' | 'running' | 'done' | 'failed';
  error?: string;
  step?: number;
  steps?: number;
  /** Seconds of training (from the run's summary). */
  seconds?: number;
}

export interface SweepResult {
  plan: SweepPlan;
  done: Array<{ trial: PlannedTrial; summary: RunSummary }>;
  failed: Array<{ trial: PlannedTrial; error: string }>;
  seconds: number;
}

/** The plan in DIR/sweep.json, or an error saying there is none. */
export function readPlan(out: string): SweepPlan {
  const path = join(out, SWEEP_FILES.plan);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SweepPlan;
  } catch (e) {
    throw new InputError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no sweep here (gankit sweep … --out DIR makes one)' : `malformed (${(e as Error).message})`}`);
  }
}

/** Writes the plan, or checks that the folder's plan is this one (same trials). */
function writePlan(plan: SweepPlan): void {
  const path = join(plan.out, SWEEP_FILES.plan);
  if (existsSync(path)) {
    const stored = readPlan(plan.out);
    const ids = (p: SweepPlan) => p.trials.map((t) => t.id).join(',');
    if (ids(stored) !== ids(plan)) throw new InputError(`${plan.out}: holds another sweep (${stored.trials.length} trials); choose another --out, or run it with the same --config, --grid and --random`);
    return;
  }
  try {
    makeFolder(join(plan.out, 'trials'));
  } catch (e) {
    throw new InputError(`--out: ${plan.out}: cannot create the sweep folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  writeFileAtomic(path, JSON.stringify(plan, null, 2) + '\n');
}

function readStatus(out: string): Record<string, TrialStatus> {
  try {
    return JSON.parse(readFileSync(join(out, SWEEP_FILES.status), 'utf8'));
  } catch {
    return {};
  }
}

/** For --no-wait: the plan written and its trials added to the queue, without following them. */
export async function writeQueuedPlan(plan: SweepPlan, executor: TrialExecutor): Promise<void> {
  writePlan(plan);
  if (!executor.enqueue) throw new InputError('--no-wait goes with --queue');
  await executor.enqueue(plan.trials);
}

/** The runs database's tag on a sweep's trials. */
const sweepTag = (plan: SweepPlan) => ({ study: 'sweep', experiment: basename(plan.out) });

/** Indexes the plan's trial folders in DIR/runs.sqlite (`gankit sweep status` does, for a sweep followed from elsewhere). */
export function indexTrials(plan: SweepPlan): void {
  const db = new RunsDb(join(plan.out, SWEEP_FILES.database));
  try {
    for (const t of plan.trials) if (existsSync(t.dir)) db.index(t.dir, sweepTag(plan));
  } finally {
    db.close();
  }
}

/** Runs the plan's trials with `executor` (what is done is not run again); resolves when every trial is done or failed. */
export async function runSweep(plan: SweepPlan, executor: TrialExecutor, log: (line: string) => void = () => {}): Promise<SweepResult> {
  await executor.ready?.();
  writePlan(plan);
  // One sweep process per folder: two would each count the other's trials as failed.
  const lock = lockFolder(plan.out, 'gankit sweep');
  try {
    return await followSweep(plan, executor, log);
  } finally {
    lock.release();
  }
}

async function followSweep(plan: SweepPlan, executor: TrialExecutor, log: (line: string) => void): Promise<SweepResult> {
  const started = Date.now();
  const status: Record<string, TrialStatus> = Object.fromEntries(plan.trials.map((t) => [t.id, { state: 'waiting' }]));
  let lastSave = 0;
  const save = (force = false) => {
    if (!force && Date.now() - lastSave < 1000) return;
    lastSave = Date.now();
    writeFileAtomic(join(plan.out, SWEEP_FILES.status), JSON.stringify(status, null, 1) + '\n');
  };
  const result: SweepResult = { plan, done: [], failed: [], seconds: 0 };
  const count = () => `[${result.done.length + result.failed.length}/${plan.trials.length}]`;
  log(`gankit sweep: ${plan.trials.length} trials on ${executor.where} → ${plan.out}`);
  const db = new RunsDb(join(plan.out, SWEEP_FILES.database));
  const tag = sweepTag(plan);
  try {
    await executor.run(plan.trials, (e) => {
      const s = status[e.trial.id];
      if (e.kind === 'started') {
        s.state = 'running';
        log(`${count()} ${e.trial.name}: started`);
      } else if (e.kind === 'progress') {
        Object.assign(s, { state: 'running', step: e.step, steps: e.steps });
      } else if (e.kind === 'done') {
        Object.assign(s, { state: 'done', seconds: e.summary.elapsed });
        result.done.push({ trial: e.trial, summary: e.summary });
        log(`${count()} ${e.trial.name}: ${e.summary.status}${typeof e.summary.elapsed === 'number' ? ` (${e.summary.elapsed.toFixed(1)} s)` : ''}`);
      } else {
        Object.assign(s, { state: 'failed', error: e.error });
        result.failed.push({ trial: e.trial, error: e.error });
        log(`${count()} ${e.trial.name}: FAILED: ${e.error}`);
      }
      // Each trial is indexed as it ends, as a study's are: a sweep stopped half-way has its results listed.
      if ((e.kind === 'done' || e.kind === 'failed') && existsSync(e.trial.dir)) db.index(e.trial.dir, tag);
      save(e.kind !== 'progress');
    });
  } finally {
    db.close();
  }
  save(true);
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

/** A trial folder's lock as status reports it: its holder, whether it lives (null: on another host, unchecked), its age. */
export interface TrialLock {
  holder: LockHolder | null;
  alive: boolean | null;
  /** Seconds since the lock was taken (null: unreadable). */
  age: number | null;
}

export interface SweepStatus {
  total: number;
  done: number;
  running: number;
  failed: number;
  waiting: number;
  /** Seconds until the rest is done at the pace so far (null: nothing done yet or nothing running). */
  eta: number | null;
  trials: Array<{ trial: PlannedTrial; state: TrialStatus['state']; error?: string; progress?: number; lock?: TrialLock }>;
}

/** The trial folder's lock, if it has one. */
function trialLock(dir: string): TrialLock | undefined {
  const lock = inspectLock(dir);
  if (!lock) return undefined;
  const since = lock.holder ? Date.parse(lock.holder.since) : NaN;
  return { ...lock, age: Number.isFinite(since) ? Math.max(0, (Date.now() - since) / 1000) : null };
}

/**
 * Where each trial is: done (its folder says so), failed, running or waiting — from the folders,
 * the status file and, with a queue, its jobs. A locked folder is running while its holder lives
 * (or is on another host, where it cannot be checked); a dead holder's lock is reported, not run.
 */
export function sweepStatus(plan: SweepPlan, jobs?: Map<string, { state: string; error?: string; progress?: number }>): SweepStatus {
  const stored = readStatus(plan.out);
  const trials = plan.trials.map((trial) => {
    const job = jobs?.get(trial.id);
    const s = stored[trial.id];
    const foreign = foreignTrial(trial);
    if (foreign) return { trial, state: 'failed' as const, error: foreign };
    if (trialResult(trial.dir)) return { trial, state: 'done' as const };
    const lock = trialLock(trial.dir);
    const held = lock !== undefined && lock.alive !== false;
    const extra = lock ? { lock } : {};
    if (job?.state === 'failed' && !held) return { trial, state: 'failed' as const, error: job.error, ...extra };
    if (job?.state === 'active' || held) return { trial, state: 'running' as const, progress: job?.progress ?? (s?.steps ? (s.step ?? 0) / s.steps : undefined), ...extra };
    if (!jobs && s?.state === 'failed') return { trial, state: 'failed' as const, error: s.error, ...extra };
    return { trial, state: 'waiting' as const, ...extra };
  });
  const n = (state: TrialStatus['state']) => trials.filter((t) => t.state === state).length;
  const seconds = trials.filter((t) => t.state === 'done').map((t) => trialResult(t.trial.dir)?.elapsed).filter((x): x is number => typeof x === 'number');
  const running = n('running');
  const left = n('waiting') + trials.filter((t) => t.state === 'running').reduce((a, t) => a + (1 - (t.progress ?? 0)), 0);
  const mean = seconds.length ? seconds.reduce((a, b) => a + b, 0) / seconds.length : null;
  return { total: trials.length, done: n('done'), running, failed: n('failed'), waiting: n('waiting'), eta: mean !== null && running > 0 ? (left * mean) / running : null, trials };
}
