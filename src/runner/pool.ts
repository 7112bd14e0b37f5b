/** Trials as worker processes, a few at a time (studies, benchmarks and the local sweep executor). */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { RunSummary } from '../runfolder/index.js';
import { TRIAL_ENTRY, TrialSpec, trialResult } from './trial.js';

/**
 * wasm threads for each of `jobs` concurrent image trials: the cores shared out (more threads than
 * cores make every kernel wait for sleeping threads; docs/speed.md).
 */
export const threadsPerJob = (jobs: number): number => Math.max(1, Math.floor(availableParallelism() / Math.max(1, jobs)));

/** A trial process that ended without a result: its exit code and what it said. */
export class TrialFailed extends Error {
  constructor(
    readonly label: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`${label}: exit ${code}: ${stderr}`);
  }
}

/**
 * Runs the trial in a worker process unless its folder already has a result; resolves with
 * summary.json (finished or diverged), rejects with TrialFailed. `threads`: the wasm threads an
 * image trial may use (its share of the cores; 2-D trials keep their one thread, GANKIT_THREADS
 * overrides both); `onProgress` hears the logged steps.
 */
export function runTrialProcess<S = RunSummary>(spec: TrialSpec, label: string, threads?: number, onProgress?: (p: { step: number; steps: number }) => void): Promise<S> {
  return new Promise((resolveTrial, reject) => {
    const done = trialResult(spec.dir);
    if (done) return resolveTrial(done as S);
    const env = threads !== undefined ? { ...process.env, GANKIT_TRIAL_THREADS: String(threads) } : process.env;
    // Its own process group: a Ctrl-C or SIGTERM to the caller's group (a worker finishing its
    // trials) does not reach it. A caller that dies is seen by the trial's ppid watchdog.
    const child = spawn(process.execPath, [TRIAL_ENTRY, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
    let err = '';
    let out = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        try {
          const msg = JSON.parse(line) as { progress?: { step: number; steps: number } };
          if (msg.progress) onProgress?.(msg.progress);
        } catch {
          // not a progress line
        }
      }
    });
    child.on('error', (e) => reject(new TrialFailed(label, null, e.message)));
    // 'close', not 'exit': the process's last stderr lines (its error) are read by then.
    child.on('close', (code) => {
      const summary = trialResult(spec.dir);
      if (summary) resolveTrial(summary as S);
      else reject(new TrialFailed(label, code, err.trim()));
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
