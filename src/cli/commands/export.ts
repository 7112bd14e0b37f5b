/** `gankit export`: a run's generator as a TensorFlow.js LayersModel folder. */
import { resolve } from 'node:path';
import { exportGenerator } from '../../export/generator.js';
import { parse, UsageError } from '../args.js';
import { withRunOrPretrained } from '../checkpointed.js';
import type { Command } from '../command.js';

export const exportCommand: Command = {
  name: 'export',
  summary: "write a run's generator as a TensorFlow.js LayersModel (model.json + weights.bin)",
  help: () => `Usage: gankit export (--run DIR | --pretrained NAME) --out FOLDER [--no-ema] [--best]

Writes the generator of the run's latest checkpoint to FOLDER as a TensorFlow.js LayersModel:
model.json and weights.bin (standard dense, batchNormalization, layerNormalization,
conv2dTranspose and activation layers) and gankit.json, which describes the input (noise, then
InfoGAN codes, then onehot(class), with the class names) and the output (images in [-1, 1], or 2-D points). Load it with
tf.loadLayersModel('URL/model.json') in a browser, or in Node with tfjs-node's file:// or gankit's
folderHandler(FOLDER). The EMA weights are exported when the run has them (--no-ema: G's own);
batch norm uses standing statistics. --best exports DIR/best.bin instead of the latest checkpoint.
--pretrained NAME exports a shipped model (gankit pretrained lists them).
The written files are loaded back and compared with gankit's generator on 64 inputs.`,

  async run(argv) {
    const values = parse(argv, { run: { type: 'string' }, pretrained: { type: 'string' }, out: { type: 'string' }, 'no-ema': { type: 'boolean' }, best: { type: 'boolean' } });
    if (typeof values.out !== 'string') throw new UsageError('export needs --out FOLDER');
    const out = resolve(values.out);
    return withRunOrPretrained(values, 'export', async ({ task, trainer, source }) => {
      trainer.useEma = !values['no-ema'];
      const r = await exportGenerator(trainer, out, { run: source, checkpoint: values.best ? 'best' : 'latest', classNames: task.classNames });
      console.error(`gankit export: ${values.out}: step ${r.meta.step}, ${r.meta.weights} weights, input ${r.meta.input.size}, output [${r.meta.output.shape.join(', ')}]; reloaded and checked: max |Δ| ${r.maxDifference.toExponential(1)} on 64 inputs`);
      return 0;
    });
  },
};
