/**
 * An image dataset in memory and its seeded, epoch-shuffled batches in [−1, 1]. No Node modules:
 * the playground page trains on these too (the loaders that read files are in ./images.ts).
 */
import { tf, Rng } from '../engine/index.js';
import { InputError } from '../errors.js';

/** The most classes a dataset may have: labels are stored as 16-bit integers. */
export const MAX_CLASSES = 65_536;

/** Class indices as stored (16 bits: wide enough for any count up to MAX_CLASSES; past it, one error naming `where`). */
export function classLabels(values: ArrayLike<number>, classes: number, where: string): Uint16Array {
  if (classes > MAX_CLASSES) throw new InputError(`${where}: ${classes} classes (one per sub-folder); gankit takes at most ${MAX_CLASSES}`);
  return Uint16Array.from(values);
}

export interface ImageDataset {
  name: string;
  /** N × height × width × channels pixels, 0–255, row-major (NHWC). */
  pixels: Uint8Array;
  /** One class index per image, or null for unlabelled data. */
  labels: Uint8Array | Uint16Array | null;
  count: number;
  height: number;
  width: number;
  channels: number;
  /** Number of classes (0 when unlabelled). */
  classes: number;
  classNames?: string[];
}

/**
 * Epoch-wise shuffled batches: each epoch is a permutation drawn from the caller's Rng; the
 * position in the epoch is state that a checkpoint can keep.
 */
export class ShuffledBatches {
  private order: Int32Array | null = null;
  private cursor = 0;
  epoch = 0;

  constructor(readonly data: ImageDataset) {}

  /** Indices of the next n images (an epoch boundary draws a new permutation). */
  nextIndices(rng: Rng, n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (!this.order || this.cursor >= this.order.length) {
        if (this.order) this.epoch++;
        this.order = rng.permutation(this.data.count);
        this.cursor = 0;
      }
      out[i] = this.order[this.cursor++];
    }
    return out;
  }

  /** The next batch as [n, H, W, C] in [−1, 1], with its labels. */
  batchWithLabels(rng: Rng, n: number): { images: tf.Tensor4D; labels: Int32Array | null } {
    const { height: h, width: w, channels: c, pixels, labels } = this.data;
    const size = h * w * c;
    const idx = this.nextIndices(rng, n);
    const values = new Float32Array(n * size);
    idx.forEach((j, i) => {
      for (let k = 0; k < size; k++) values[i * size + k] = pixels[j * size + k] / 127.5 - 1;
    });
    return { images: tf.tensor4d(values, [n, h, w, c]), labels: labels ? Int32Array.from(idx, (j) => labels[j]) : null };
  }

  batch(rng: Rng, n: number): tf.Tensor {
    return this.batchWithLabels(rng, n).images;
  }

  getState(): { epoch: number; cursor: number; order: number[] | null } {
    return { epoch: this.epoch, cursor: this.cursor, order: this.order ? Array.from(this.order) : null };
  }

  setState(state: { epoch: number; cursor: number; order: number[] | null }): void {
    if (state.order && state.order.length !== this.data.count) throw new InputError(`batch state: order has ${state.order.length} entries, the dataset ${this.data.count}`);
    this.epoch = state.epoch;
    this.cursor = state.cursor;
    this.order = state.order ? Int32Array.from(state.order) : null;
  }
}
