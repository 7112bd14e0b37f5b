/** Shared by the benchmarks and studies: run trials as worker processes, a few at a time. */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { RunSummary } from '../runfolder/index.js';
import { TRIAL_ENTRY, TrialSpec, trialResult } from '../runner/trial.js';

/**
 * wasm threads for each of `jobs` concurrent image trials: the cores shared out (more threads than
 * cores make every kernel wait for sleeping threads; docs/speed.md).
 */
export const threadsPerJob = (jobs: number): number => Math.max(1, Math.floor(availableParallelism() / Math.max(1, jobs)));

/**
 * Runs the trial in a worker process unless its folder already has a summary; resolves with
 * summary.json (finished or diverged). `threads` sets the worker's GANKIT_THREADS unless the user has.
 */
export function runTrialProcess<S = RunSummary>(spec: TrialSpec, label: string, threads?: number): Promise<S> {
  return new Promise((resolveTrial, reject) => {
    const done = trialResult(spec.dir);
    if (done) return resolveTrial(done as S);
    const env = threads !== undefined && !process.env.GANKIT_THREADS ? { ...process.env, GANKIT_THREADS: String(threads) } : process.env;
    const child = spawn(process.execPath, [TRIAL_ENTRY, JSON.stringify(spec)], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const summary = trialResult(spec.dir);
      if (summary) resolveTrial(summary as S);
      else reject(new Error(`${label}: exit ${code}: ${err.trim()}`));
    });
  });
}

/** Maps `work` over items with at most `jobs` in flight; results in input order. */
export async function pool<T, R>(items: T[], jobs: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

export const meanSd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { m, sd };
};
