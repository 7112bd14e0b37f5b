/** `gankit eval`: score a run's checkpoint next to the real-vs-real baseline; writes DIR/eval.json. */
import { resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import { RunFolder } from '../../runfolder/index.js';
import { readRunConfig } from '../../runner/run.js';
import { num, parse, UsageError } from '../args.js';
import { withCheckpointedRun } from '../checkpointed.js';
import type { Command } from '../command.js';

export const evaluate: Command = {
  name: 'eval',
  summary: "score a run's checkpoint (images: FID, KID, precision/recall, …)",
  help: () => `Usage: gankit eval --run DIR [--n N] [--no-ema] [--best] [--json]

Scores the run's latest checkpoint: for images FID, KID, precision, recall, density, coverage,
classifier score (and conditional accuracy / InfoGAN code accuracy) on gankit's feature network,
next to the real-vs-real baseline; for 2-D runs modes, quality and sliced Wasserstein. A run
with a generator EMA (the default for images) is scored with the EMA weights; --no-ema scores
G's own. --best scores DIR/best.bin (the checkpoint with the lowest FID measured in training)
instead of the latest. Writes DIR/eval.json.`,

  async run(argv) {
    const values = parse(argv, { run: { type: 'string' }, n: { type: 'string' }, json: { type: 'boolean' }, 'no-ema': { type: 'boolean' }, best: { type: 'boolean' } });
    if (typeof values.run !== 'string') throw new UsageError('eval needs --run DIR');
    const dir = resolve(values.run);
    const n = num(values, 'n', true);
    if (n !== undefined && n < 10) throw new ConfigError('--n', `must be an integer ≥ 10, got ${n}`);
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
      for (const [k, v] of Object.entries(ev.metrics)) {
        const b = baseline?.[k];
        console.log(`  ${k.padEnd(20)} ${typeof v === 'number' ? v.toFixed(4).padStart(10) : String(v).padStart(10)}${typeof b === 'number' ? `   (real vs real ${b.toFixed(4)})` : ''}`);
      }
      if (summary.evaluation) console.log(`  ${String(summary.evaluation)}`);
      console.log(`  → ${new RunFolder(dir).path('eval')}`);
      return 0;
    });
  },
};
