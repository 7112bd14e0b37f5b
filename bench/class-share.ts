/**
 * Which classes an image generator draws: classifies `--n` samples of a run's scored generator (the
 * EMA weights with standing statistics, as FID sees it) or of a shipped pretrained model with the
 * dataset's feature network (gankit featnet), and prints each class's share of the samples beside
 * its share of the held-out real images. A FID far above what a grid of clearly drawn samples
 * suggests is often classes that are never drawn (FID, recall and coverage then say so together;
 * this says which). Nothing is written. Used for issue 27's began-g1 row.
 *
 * It then prices the class mix alone: FID against all the held-out real images (10,000 for
 * Fashion-MNIST, MNIST's 2,000) of (a) the n
 * samples, (b) n real training images drawn with the samples' class shares (a generator that draws
 * every image perfectly but in those proportions) and (c) n real training images in the held-out
 * images' class shares. (b) is what the class mix alone would score, drawn perfectly; set it beside
 * (a) and (c) (FID does not add up, so (a) − (b) is only a size). The samples' shares are the
 * feature network's classes; the real images are drawn by their labels.
 *
 *   node dist/bench/class-share.js --run DIR [--n 5000]
 *   node dist/bench/class-share.js --pretrained NAME[,NAME…] [--n 5000]
 *   node dist/bench/class-share.js --images DIR --data fashion-mnist|mnist [--n 5000]   (a folder of samples)
 */
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/index.js';
import { loadImageData, subsetInClassMix } from '../src/data/imageData.js';
import { InputError } from '../src/errors.js';
import { argmaxRows, FEATURE_DIM, loadFeatureNet, toSigned } from '../src/metrics/featnet.js';
import type { FeatureNet } from '../src/metrics/featnet.js';
import { fid } from '../src/metrics/fid.js';
import type { ImageDataset } from '../src/data/images.js';
import { openPretrained } from '../src/pretrained/index.js';
import { checkScorable, readSampleFolder } from '../src/kinds/images/folderScore.js';
import { openRun, readRunConfig } from '../src/runner/run.js';
import { Rng } from '../src/engine/rng.js';
import type { Trainer } from '../src/train/trainer.js';
import type { RunConfig } from '../src/train/config.js';

const USAGE = 'Usage: node dist/bench/class-share.js (--run DIR | --pretrained NAME[,NAME…] | --images DIR --data NAME) [--n 5000]';

const shares = (classes: ArrayLike<number>, k: number) => {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < classes.length; i++) counts[classes[i]]++;
  return counts.map((c) => c / classes.length);
};

/** `images`: n samples in [−1, 1] (`what` says where they come from). */
async function report(label: string, name: string, what: string, images: Float32Array, n: number): Promise<void> {
  checkScorable(name, `${label}: data`);
  const { net } = loadFeatureNet(name);
  try {
    const samples = net.embed(images, n);
    const drawn = shares(argmaxRows(samples.probs, net.classes), net.classes);
    const real = await loadImageData(name, { split: 'test' });
    const held = shares(real.labels!, real.classes);
    const width = Math.max(...real.classNames!.map((c) => c.length));
    console.log(`${label} (${name}, ${what}): share of ${n} samples by the feature network's class, against the ${real.count} held-out real images`);
    drawn.forEach((d, c) => console.log(`  ${real.classNames![c].padEnd(width)}  ${(100 * d).toFixed(1).padStart(5)} %   real ${(100 * held[c]).toFixed(1).padStart(5)} %`));
    const missing = drawn.map((d, c) => ({ d, c })).filter(({ d, c }) => d < held[c] / 10);
    console.log(`  under a tenth of their real share: ${missing.length ? missing.map(({ c }) => real.classNames![c]).join(', ') : 'none'}`);
    await priceTheMix(net, name, real, samples.features, drawn, held, n);
  } finally {
    net.dispose();
  }
}

async function priceTheMix(net: FeatureNet, name: string, reference: ImageDataset, sampleFeatures: Float32Array, drawn: number[], held: number[], n: number): Promise<void> {
  const train = await loadImageData(name, { split: 'train' });
  const ref = net.embed(toSigned(reference.pixels), reference.count).features;
  const fidOf = (features: Float32Array) => fid(ref, reference.count, features, n, FEATURE_DIM);
  const embedded = (mix: number[], seed: number) => net.embed(toSigned(subsetInClassMix(train, mix, n, new Rng(seed)).pixels), n).features;
  const mixed = embedded(drawn, 21);
  const asHeld = embedded(held, 22);
  const [a, b, c] = [fidOf(sampleFeatures), fidOf(mixed), fidOf(asHeld)];
  console.log(`  FID at N = ${n} against the ${reference.count} held-out images: the samples ${a.toFixed(2)}; real training images in the samples' class mix ${b.toFixed(2)}; real training images in the held-out class mix ${c.toFixed(2)}`);
  console.log(`  so a generator drawing perfect images in the samples' class mix would still score ${b.toFixed(2)}, against the samples' ${a.toFixed(2)}`);
}

const fromGenerator = (label: string, config: RunConfig, trainer: Trainer, n: number) => report(label, config.data.name, `step ${trainer.step}`, trainer.sample(n, new Rng(5)), n);

/** The first n images of a folder of samples (read as `gankit eval --images` reads them), e.g. a PyTorch replica's. */
async function fromFolder(dir: string, name: string, n: number): Promise<void> {
  checkScorable(name);
  const folder = await readSampleFolder(dir, await loadImageData(name, { split: 'train' }), (m) => console.error(m));
  const count = Math.min(n, folder.count);
  const size = folder.height * folder.width * folder.channels;
  await report(dir, name, `the first ${count} of ${folder.count} images`, toSigned(folder.pixels.subarray(0, count * size)), count);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { run: { type: 'string' }, pretrained: { type: 'string' }, images: { type: 'string' }, data: { type: 'string' }, n: { type: 'string', default: '5000' } } }));
  } catch (e) {
    throw new InputError(`${(e as Error).message.split('\n')[0]}\n${USAGE}`);
  }
  if ([values.run, values.pretrained, values.images].filter(Boolean).length !== 1) throw new InputError(`one of --run, --pretrained and --images is required\n${USAGE}`);
  if (Boolean(values.images) !== Boolean(values.data)) throw new InputError(`--images and --data go together\n${USAGE}`);
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 10 || n > 20_000) throw new InputError(`--n must be an integer in [10, 20000], got '${values.n}'`);
  await initEngine({ workload: 'images' });
  if (values.run) {
    const config = readRunConfig(values.run);
    const { task, trainer } = await openRun(values.run, config, { evaluate: false });
    try {
      await fromGenerator(values.run, config, trainer, n);
    } finally {
      task.dispose();
    }
  }
  if (values.images) await fromFolder(values.images, values.data!, n);
  for (const name of values.pretrained?.split(',') ?? []) {
    const { task, trainer, config } = await openPretrained(name);
    try {
      await fromGenerator(name, config, trainer, n);
    } finally {
      task.dispose();
    }
  }
}

main().catch((e: Error) => {
  process.stderr.write(`class-share: ${e.message}\n`);
  process.exit(e instanceof InputError ? 2 : 1);
});
