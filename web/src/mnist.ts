/**
 * A small MNIST model trained in the page: the library's trainer, the dcgan28 networks and the
 * standard GAN's preset (the CLI's `gankit train --data mnist`), on 2,000 digits that
 * `npm run build:web` writes to data/mnist-2000.bin. Samples are drawn as the CLI draws them (EMA
 * weights, standing batch-norm statistics).
 */
import { tf, Rng } from '../../src/engine/index.js';
import type { ImageDataset } from '../../src/data/imageBatches.js';
import { imageBatchSource, imageNetworks } from '../../src/kinds/images/networks.js';
import { resolveConfig } from '../../src/train/config.js';
import { trainerOwning } from '../../src/train/trainer.js';
import type { Trainer } from '../../src/train/trainer.js';

let data: ImageDataset | null = null;

async function digits(): Promise<ImageDataset> {
  if (data) return data;
  const response = await fetch('data/mnist-2000.bin');
  if (!response.ok) throw new Error(`data/mnist-2000.bin: ${response.status} (build the page with npm run build:web)`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length === 0 || bytes.length % 785) throw new Error(`data/mnist-2000.bin: ${bytes.length} bytes is not a whole number of digits`);
  const count = bytes.length / 785;
  data = { name: 'mnist', pixels: bytes.subarray(0, count * 784), labels: bytes.subarray(count * 784), count, height: 28, width: 28, channels: 1, classes: 10 };
  return data;
}

export interface MnistRun {
  trainer: Trainer;
  stop: boolean;
}

/**
 * Trains `steps` generator steps, calling `show` every `every` steps (and at the end) with 64
 * samples in [−1, 1]. With a WebGPU device (the page's backend menu) the steps run on the GPU.
 */
export async function trainMnist(steps: number, every: number, show: (images: tf.Tensor4D, step: number, seconds: number) => void, run: { stop: boolean } = { stop: false }): Promise<Trainer> {
  const d = await digits();
  const config = resolveConfig({ loss: 'ns', data: { name: 'mnist' }, steps, seed: 1 });
  const trainer = trainerOwning(config, imageBatchSource(d), imageNetworks(config, d));
  const started = performance.now();
  // With a WebGPU device the steps run there; the samples are drawn on the host from the fetched weights.
  const draw = async () => {
    await trainer.hostReady(false);
    const x = tf.tensor4d(trainer.sample(64, new Rng(7)), [64, 28, 28, 1]);
    show(x, trainer.step, (performance.now() - started) / 1000);
    x.dispose();
  };
  try {
    for (let i = 0; i < steps && !run.stop; i++) {
      await trainer.trainStepAsync();
      if (trainer.step % every === 0) {
        await draw();
        await new Promise((r) => setTimeout(r, 0));
      }
    }
    if (trainer.step % every !== 0) await draw();
    return trainer;
  } catch (e) {
    trainer.dispose();
    throw e;
  }
}
