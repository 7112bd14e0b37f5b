/** What the trainer needs from a generator and a discriminator, whatever their architecture. */
import type { tf } from '../engine/index.js';

/** What D produces for each sample: a logit, an unbounded critic score, or (BEGAN) a reconstruction loss. */
export type DiscriminatorKind = 'logit' | 'critic' | 'autoencoder';

export interface Network {
  readonly variables: tf.Variable[];
  parameterCount(): number;
  dispose(): void;
}

/**
 * A generator as a plain stack of standard layers, for export (src/export): every weight in the
 * layout the standard layer expects (dense kernels [in, out], transposed-conv kernels
 * [kh, kw, out, in], conv kernels [kh, kw, in, out]); batch norm with fixed statistics; nearest-neighbour upsampling. Tensors belong to the caller (dispose them).
 */
export type ExportLayer =
  | { kind: 'dense'; kernel: tf.Tensor; bias: tf.Tensor }
  | { kind: 'batchNorm'; gamma: tf.Tensor; beta: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor; epsilon: number }
  | { kind: 'layerNorm'; gamma: tf.Tensor; beta: tf.Tensor; epsilon: number }
  | { kind: 'activation'; fn: 'relu' | 'tanh' | 'elu' | 'leakyRelu'; alpha?: number }
  | { kind: 'reshape'; shape: number[] }
  | { kind: 'deconv'; kernel: tf.Tensor; bias: tf.Tensor; strides: number; padding: 'same' }
  | { kind: 'conv'; kernel: tf.Tensor; bias: tf.Tensor; strides: number; padding: 'same' }
  | { kind: 'upsample'; factor: number };

export interface GeneratorNet extends Network {
  /** Size of G's input: noise plus any codes or labels. */
  readonly latentDim: number;
  /** Shape of one generated sample, e.g. [2] or [28, 28, 1]. */
  readonly sampleShape: number[];
  /**
   * G(z); `params` (in the order of `variables`) replaces the weights, e.g. for EMA copies.
   * `standing`: fixed batch-norm statistics, [mean, variance] per batch-norm layer in order
   * (shapes as `normMoments` gives them); without it batch norm uses the batch's statistics.
   */
  generate(z: tf.Tensor, params?: tf.Tensor[], standing?: readonly tf.Tensor[]): tf.Tensor;
  /**
   * Batch-norm generators: a training-mode pass on z that returns, per batch-norm layer in order,
   * the batch's mean and mean square over every axis but the channel one (keepDims).
   */
  normMoments?(z: tf.Tensor, params?: tf.Tensor[]): tf.Tensor[];
  /**
   * The network as standard layers with the weights `params` (and, for batch norm, the `standing`
   * statistics), computing what generate(z, params, standing) computes.
   */
  exportLayers?(params: tf.Tensor[], standing?: readonly tf.Tensor[]): ExportLayer[];
  /** Non-trainable state saved with the weights (spectral norm's u and v). */
  readonly state?: tf.Variable[];
  /** Called once before each generator update, outside the tape (spectral norm's power iteration). */
  beginStep?(): void;
  /**
   * Smallest batch G should be run on in training mode (batch-norm generators use the batch's
   * statistics; sampling uses standing statistics where `normMoments` exists, and otherwise pads
   * small requests up to this and drops the extra samples). Default 1.
   */
  readonly minBatch?: number;
}

export interface DiscriminatorNet extends Network {
  /**
   * One number per sample: a logit, a critic score, or (autoencoder discriminators) the L1
   * reconstruction error mean|x − AE(x)|.
   */
  score(x: tf.Tensor, labels?: tf.Tensor): tf.Tensor1D;
  /**
   * The score and the auxiliary head's raw outputs [N, q] from one pass through the shared body:
   * InfoGAN's Q (code logits and means) or ACGAN's class logits. `labels`: one-hot [N, K] for
   * conditional discriminators.
   */
  scoreWithQ?(x: tf.Tensor, labels?: tf.Tensor): { score: tf.Tensor1D; q: tf.Tensor2D };
  /**
   * True when each sample's outputs depend on that sample alone (no batch norm): the trainer then
   * scores the real and the generated batch in one pass (same values, half the kernels). Batch-norm
   * discriminators see the two batches separately, as in the papers' code.
   */
  readonly rowsIndependent?: boolean;
  /** Non-trainable state saved with the weights (spectral norm's u and v). */
  readonly state?: tf.Variable[];
  /** Called once before each discriminator update, outside the tape (spectral norm's power iteration). */
  beginStep?(): void;
}
