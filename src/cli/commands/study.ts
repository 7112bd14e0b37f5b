/** `gankit study wasserstein`: the claims made for the Wasserstein loss, measured, with verdicts. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus } from 'node:os';
import { parse, num, UsageError } from '../args.js';
import { initEngine } from '../../engine/index.js';
import { runWassersteinStudy } from '../../study/wasserstein.js';
import { shellPath } from '../runOutput.js';
import { queueExecutor } from '../../sweep/queue.js';
import { InputError } from '../../errors.js';
import { didYouMean } from '../../schema.js';
import type { Command } from '../command.js';

const HELP = `Usage: gankit study wasserstein [--quick | --protocol v3|v2] [--jobs N | --queue URL] [--seeds N]
                               [--out DIR] [--fashion FILE] [--torch FILE] [--records DIR] [--offline | --only LIST]

Measures each claim made for the Wasserstein loss (stability, mode collapse, gradients,
robustness, image quality, efficiency, a meaningful loss, a better generator) for WGAN-GP and
WGAN (clipping) separately against ns, the baseline fixed in advance; minimax, lsgan, dragan,
hinge and the spectral-normalised arms are rows of their own. Each claim's comparisons are tested
with Welch, Fisher's exact or exact rank tests, Holm-adjusted within the claim, and read against
an equivalence margin per measure: supported / contradicted / no difference / inconclusive /
not tested (see docs/wasserstein-study/report.md). Every trial is a normal run folder
(DIR/runs/…), run by --jobs local processes or, with --queue, by 'gankit worker' processes on
any machine (as a sweep's), and indexed in DIR/runs.sqlite; a re-run reuses finished trials, so
a long study can be built over several sittings. Writes DIR/report.html (self-contained),
DIR/report.md with its figures, DIR/results.json.

  --protocol P   v3 (default): ring8/grid25 10 seeds × 20,000 G steps, ring8 stress settings
                 (10 seeds), 12 paired random image configurations, gradients at 10–2,000 D steps;
                 v2: the 2,000-step, 5-seed protocol of the first committed records
  --quick        a smoke test of the same layout: ns, minimax and the critics, 2 seeds, 300 steps,
                 no image trials (a few minutes)
  --jobs N       local processes (default: the number of cores)
  --queue URL    run the trials through the Redis queue at URL (redis://… or rediss://…)
  --seeds N      seeds per (loss, dataset) of the 2-D runs (default: the protocol's)
  --out DIR      default study-wasserstein
  --fashion FILE results.json of 'npm run bench:fashion' for the image claims (5, 7, 10)
  --torch FILE   JSON of 'python3 bench/torch_toy.py --json FILE' (the 2-D preset in PyTorch):
                 a table of its modes and HQ share beside gankit's
  --records DIR  keep one small record per ended trial in DIR (config, summary, metrics; no
                 checkpoints) and restore trials from their records instead of running them:
                 commit DIR to carry a long study to another machine or checkout
  --offline      run no trial: report from the records and finished folders; trials without one
                 are pending and the claims that need them say "not tested"
  --only LIST    run only these experiments' trials (modes, robustness, images, stress; comma-
                 separated), the others as --offline: a long protocol in stages`;

export const study: Command = {
  name: 'study',
  summary: 'measure the claims made for a loss (wasserstein), with verdicts',
  help: () => HELP,
  run: studyCommand,
};

async function studyCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  const values = parse(rest, { quick: { type: 'boolean' }, offline: { type: 'boolean' }, only: { type: 'string' }, protocol: { type: 'string' }, jobs: { type: 'string' }, queue: { type: 'string' }, seeds: { type: 'string' }, out: { type: 'string' }, fashion: { type: 'string' }, torch: { type: 'string' }, records: { type: 'string' } });
  if (what === undefined) {
    console.log(HELP);
    return 0;
  }
  if (what !== 'wasserstein') throw new UsageError(`unknown study '${what}'${didYouMean(what, ['wasserstein'])} (wasserstein)`);
  const jobs = num(values, 'jobs', true) ?? Math.max(1, cpus().length);
  const seeds = num(values, 'seeds', true);
  if (jobs < 1) throw new InputError(`--jobs: must be a positive integer, got ${jobs}`);
  if (seeds !== undefined && seeds < 1) throw new InputError(`--seeds: must be a positive integer, got ${seeds}`);
  const protocol = values.protocol === undefined ? undefined : String(values.protocol);
  if (protocol !== undefined && protocol !== 'v3' && protocol !== 'v2') throw new InputError(`--protocol: '${protocol}' (v3 or v2; --quick for the smoke test)`);
  if (protocol !== undefined && values.quick) throw new InputError('--protocol and --quick: give one (--quick is the smoke-test protocol)');
  if (typeof values.fashion === 'string' && !existsSync(values.fashion)) throw new InputError(`--fashion: ${values.fashion}: no such file (run npm run bench:fashion first)`);
  if (typeof values.torch === 'string' && !existsSync(values.torch)) throw new InputError(`--torch: ${values.torch}: no such file (python3 bench/torch_toy.py --json FILE writes it)`);
  await initEngine({ workload: 'points' });
  const out = resolve(typeof values.out === 'string' ? values.out : 'study-wasserstein');
  const log = (l: string) => process.stderr.write(l + '\n');
  const quick = Boolean(values.quick);
  const executor = typeof values.queue === 'string' ? queueExecutor(values.queue, log) : undefined;
  let result;
  try {
    result = await runWassersteinStudy({ quick: Boolean(values.quick), protocol: protocol as 'v3' | 'v2' | undefined, offline: Boolean(values.offline), only: typeof values.only === 'string' ? (values.only.split(',') as Array<'modes' | 'robustness' | 'images' | 'stress'>) : undefined, jobs, seeds, out, fashion: typeof values.fashion === 'string' ? values.fashion : undefined, torch: typeof values.torch === 'string' ? values.torch : undefined, records: typeof values.records === 'string' ? values.records : undefined, log, executor });
  } finally {
    await executor?.close();
  }
  if (quick) console.log('SMOKE TEST (--quick, 300 steps): the verdicts below show the layout, not the truth of the claims');
  for (const c of result.claims) {
    const v = (arm: string) => c.methods.find((m) => m.arm === arm)?.verdict ?? 'not tested';
    console.log(`(${c.id}) ${c.claim}: WGAN-GP ${v('wgan-gp')}; WGAN (clip) ${v('wgan')}`);
  }
  console.log(`gankit: study${quick ? ' smoke test' : ''} finished in ${result.seconds.toFixed(0)} s; the report: ${shellPath(join(out, 'report.html'))}`);
  return 0;
}

