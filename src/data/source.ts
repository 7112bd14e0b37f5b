/**
 * What the trainer draws its batches from: a source of samples (and, for labelled data, their
 * classes) on the training stream, with its position for checkpoints. Each kind of data builds one
 * (src/kinds/points/trainer.ts, src/kinds/images/networks.ts).
 */
import type { tf, Rng } from '../engine/index.js';

/** A source's position in its stream (epoch-wise shuffling): small fields plus the epoch's order. */
export interface SourcePosition {
  epoch: number;
  cursor: number;
  order: Int32Array | null;
}

/** A data source the trainer can draw batches from. */
export interface BatchSource {
  /** A batch of n samples as a tensor of shape [n, ...sampleShape]. */
  batch(rng: Rng, n: number): tf.Tensor;
  /** Labelled data: a batch with its class indices (conditional training needs this). */
  labeledBatch?(rng: Rng, n: number): { x: tf.Tensor; labels: Int32Array };
  /** Number of classes (0 or absent: unlabelled). */
  readonly classes?: number;
  /** Position in the stream, for checkpoints: small fields plus an int array (the epoch's order). */
  getState?(): SourcePosition;
  setState?(state: SourcePosition): void;
}
