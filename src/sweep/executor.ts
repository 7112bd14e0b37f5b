/**
 * Where a sweep's trials run: a local pool of processes, or a queue that workers on any number of
 * machines take trials from (src/sweep/queue.ts). Both run each trial the same way — a trial
 * process on src/runner/trial.ts, into the trial's folder — and report the same events, so the
 * sweep (src/sweep/sweep.ts) has one code path.
 */
import type { RunSummary } from '../runfolder/index.js';
import { pool, runTrialProcess, threadsPerJob, TrialFailed } from '../runner/pool.js';
import { foreignTrial } from './plan.js';
import type { PlannedTrial } from './plan.js';
import { trialResult } from '../runner/trial.js';

export type TrialEvent =
  | { kind: 'started'; trial: PlannedTrial }
  | { kind: 'progress'; trial: PlannedTrial; step: number; steps: number }
  | { kind: 'done'; trial: PlannedTrial; summary: RunSummary }
  | { kind: 'failed'; trial: PlannedTrial; error: string };

export interface TrialExecutor {
  /** Where the trials run, for messages. */
  readonly where: string;
  /** Runs the trials (those already done return at once) and reports on each until all are done or failed. */
  run(trials: PlannedTrial[], onEvent: (e: TrialEvent) => void): Promise<void>;
  /** A queue: hands the trials over without following them. */
  enqueue?(trials: PlannedTrial[]): Promise<void>;
  /** Checks that it can run anything (a queue: that Redis answers), before a sweep says it starts. */
  ready?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Why a trial process failed: its last "gankit: error: " line (the error it ended on, after any
 * warnings), else its first line (a stack's message), without the "gankit: " prefix.
 */
export function failureReason(e: unknown): string {
  if (!(e instanceof TrialFailed)) return (e as Error).message;
  const lines = e.stderr.split('\n').filter((l) => l.trim());
  const line = lines.filter((l) => l.startsWith('gankit: error: ')).pop() ?? lines[0] ?? `exit ${e.code}`;
  return line.replace(/^gankit: (error: )?/, '');
}

/** `jobs` trial processes at a time on this machine, each with its share of the cores. */
export function localExecutor(jobs: number): TrialExecutor {
  return {
    where: `${jobs} local process${jobs === 1 ? '' : 'es'}`,
    async run(trials, onEvent) {
      await pool(trials, jobs, async (trial) => {
        if (trial.error) return onEvent({ kind: 'failed', trial, error: trial.error });
        const foreign = foreignTrial(trial);
        if (foreign) return onEvent({ kind: 'failed', trial, error: foreign });
        const done = trialResult(trial.dir);
        if (done) return onEvent({ kind: 'done', trial, summary: done });
        onEvent({ kind: 'started', trial });
        try {
          const summary = await runTrialProcess({ overrides: trial.overrides, dir: trial.dir }, trial.name, threadsPerJob(jobs), (p) => onEvent({ kind: 'progress', trial, ...p }));
          onEvent({ kind: 'done', trial, summary });
        } catch (e) {
          onEvent({ kind: 'failed', trial, error: failureReason(e) });
        }
      });
    },
    close: async () => {},
  };
}
