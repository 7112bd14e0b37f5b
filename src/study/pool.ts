/** Shared by the benchmarks and studies: run `gankit train` trials as worker processes, a few at a time. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

/**
 * wasm threads for each of `jobs` concurrent image trials: the cores shared out (more threads than
 * cores make every kernel wait for sleeping threads; docs/speed.md).
 */
export const threadsPerJob = (jobs: number): number => Math.max(1, Math.floor(availableParallelism() / Math.max(1, jobs)));

/**
 * Runs `gankit train ARGS --out DIR --quiet` unless DIR already has a summary; resolves with
 * summary.json. `threads` sets the child's GANKIT_THREADS unless the user has set it.
 */
export function runTrial<S>(dir: string, args: string[], label: string, threads?: number): Promise<S> {
  return new Promise((resolveTrial, reject) => {
    const summary = join(dir, 'summary.json');
    if (existsSync(summary)) return resolveTrial(JSON.parse(readFileSync(summary, 'utf8')));
    const env = threads !== undefined && !process.env.GANKIT_THREADS ? { ...process.env, GANKIT_THREADS: String(threads) } : process.env;
    const child = spawn(process.execPath, [BIN, 'train', ...args, '--out', dir, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (existsSync(summary)) resolveTrial(JSON.parse(readFileSync(summary, 'utf8')));
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
