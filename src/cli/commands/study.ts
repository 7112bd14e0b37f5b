/** `gankit study wasserstein`: the claims made for the Wasserstein loss, measured, with verdicts. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus } from 'node:os';
import { parse, num, UsageError } from '../args.js';
import { initEngine } from '../../engine/index.js';
import { runWassersteinStudy } from '../../study/wasserstein.js';
import { queueExecutor } from '../../sweep/queue.js';
import { InputError } from '../../errors.js';
import type { Command } from '../command.js';

const HELP = `Usage: gankit study wasserstein [--quick] [--jobs N | --queue URL] [--seeds N] [--out DIR] [--fashion FILE]
                               [--torch FILE] [--records DIR]

Measures each claim made for the Wasserstein loss (stability, mode collapse, gradients,
robustness, image quality, efficiency, a meaningful loss, a better generator) against the
standard GAN (ns, minimax) and spectral normalisation (ns + SN, hinge + SN), beside lsgan, dragan
(λ 0.1, 1 and 10) and hinge. Every number a verdict uses has a 95 % bootstrap interval; a verdict
is holds / does not hold / mixed / inconclusive (see docs/wasserstein-study/report.md).
Robustness follows Lucic et al. 2018: random configurations of compare_gan's wide space per loss
on ring8 and grid25, reported as distributions. Every trial is a normal run folder (DIR/runs/…),
run by --jobs local processes or, with --queue, by 'gankit worker' processes on any machine (as
a sweep's), and indexed in DIR/runs.sqlite; a re-run reuses finished trials, so a long study can
be built over several sittings. Writes DIR/report.html (self-contained), DIR/report.md,
DIR/results.json.

  --quick        2 seeds, 300 steps, 2 configurations: every claim in a few minutes on 2 cores
  --jobs N       local processes (default: the number of cores)
  --queue URL    run the trials through the Redis queue at URL (redis://… or rediss://…)
  --seeds N      seeds per (loss, dataset) (default 5; --quick 2)
  --out DIR      default study-wasserstein
  --fashion FILE results.json of 'npm run bench:fashion' for the image claims (5, 7, 10)
  --torch FILE   JSON of 'python3 bench/torch_toy.py --json FILE' (the 2-D preset in PyTorch):
                 a table of its modes and HQ share beside gankit's
  --records DIR  keep one small record per ended trial in DIR (config, summary, metrics; no
                 checkpoints) and restore trials from their records instead of running them:
                 commit DIR to carry a long study to another machine or checkout`;

export const study: Command = {
  name: 'study',
  summary: 'measure the claims made for a loss (wasserstein), with verdicts',
  help: () => HELP,
  run: studyCommand,
};

async function studyCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  const values = parse(rest, { quick: { type: 'boolean' }, jobs: { type: 'string' }, queue: { type: 'string' }, seeds: { type: 'string' }, out: { type: 'string' }, fashion: { type: 'string' }, torch: { type: 'string' }, records: { type: 'string' } });
  if (what === undefined) {
    console.log(HELP);
    return 0;
  }
  if (what !== 'wasserstein') throw new UsageError(`unknown study '${what}' (wasserstein)`);
  const jobs = num(values, 'jobs', true) ?? Math.max(1, cpus().length);
  const seeds = num(values, 'seeds', true);
  if (jobs < 1) throw new InputError(`--jobs: must be a positive integer, got ${jobs}`);
  if (seeds !== undefined && seeds < 1) throw new InputError(`--seeds: must be a positive integer, got ${seeds}`);
  if (typeof values.fashion === 'string' && !existsSync(values.fashion)) throw new InputError(`--fashion: ${values.fashion}: no such file (run npm run bench:fashion first)`);
  if (typeof values.torch === 'string' && !existsSync(values.torch)) throw new InputError(`--torch: ${values.torch}: no such file (python3 bench/torch_toy.py --json FILE writes it)`);
  await initEngine({ workload: 'points' });
  const out = resolve(typeof values.out === 'string' ? values.out : 'study-wasserstein');
  const log = (l: string) => process.stderr.write(l + '\n');
  const executor = typeof values.queue === 'string' ? queueExecutor(values.queue, log) : undefined;
  let result;
  try {
    result = await runWassersteinStudy({ quick: Boolean(values.quick), jobs, seeds, out, fashion: typeof values.fashion === 'string' ? values.fashion : undefined, torch: typeof values.torch === 'string' ? values.torch : undefined, records: typeof values.records === 'string' ? values.records : undefined, log, executor });
  } finally {
    await executor?.close();
  }
  for (const v of result.verdicts) console.log(`(${v.id}) ${v.claim}: ${v.verdict.toUpperCase()} — ${v.reason}`);
  console.log(`gankit: study finished in ${result.seconds.toFixed(0)} s → ${join(out, 'report.html')}`);
  return 0;
}

