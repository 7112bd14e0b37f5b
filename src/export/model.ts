/**
 * An exported generator as a tfjs LayersModel and its gankit.json, built in memory: what
 * `gankit export` writes (./generator.ts) and what the playground page offers for download.
 * Needs no Node module, so the page bundles it.
 */
import { tf } from '../engine/index.js';
import { InputError } from '../errors.js';
import type { ExportLayer } from '../models/types.js';
import type { Trainer } from '../train/trainer.js';
import { STANDING_BATCHES } from '../train/sampling.js';
import { BN_EPSILON } from '../models/conv.js';

export const EXPORT_FILES = { model: 'model.json', weights: 'weights.bin', meta: 'gankit.json' } as const;

/** gankit.json: what the exported model takes and gives. */
export interface ExportMeta {
  format: 'gankit-generator';
  version: 1;
  /** The run it came from (as given on the command line), its step and checkpoint, the weights used. */
  run: string;
  step: number;
  checkpoint: 'latest' | 'best';
  weights: 'ema' | 'generator';
  loss: string;
  variant: string | null;
  data: string;
  arch: string;
  /** The input row: noise, then InfoGAN codes, then onehot(class). */
  input: {
    size: number;
    noise: { size: number; distribution: 'normal(0, 1)' };
    categoricalCodes: number[];
    continuousCodes: { count: number; distribution: 'uniform(-1, 1)' };
    classes: number;
    /** A conditional generator's class names, in label order (class k is onehot position k); absent when it has no classes. */
    classNames?: string[];
    order: string;
  };
  /** [H, W, C] images in [−1, 1] (pixel = (v + 1) / 2 · 255), or [2] points in data coordinates. */
  output: { shape: number[]; range: string };
  /** Batch norm: 'standing' statistics over this many samples, with this ε; null: none. */
  batchNorm: { statistics: 'standing'; samples: number; epsilon: number } | null;
}

/** Disposes the tensors of exportLayers' result (the caller owns them). */
export function disposeLayers(layers: readonly ExportLayer[]): void {
  tf.dispose(layers.flatMap((l) => Object.values(l).filter((v): v is tf.Tensor => v instanceof tf.Tensor)));
}

/** A Sequential model computing the layers on inputs of `inputSize`. */
export function buildLayersModel(inputSize: number, layers: readonly ExportLayer[], name = 'generator'): tf.Sequential {
  const model = tf.sequential({ name });
  const weights: Array<{ layer: tf.layers.Layer; values: tf.Tensor[] }> = [];
  layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: [inputSize] } : {};
    let layer: tf.layers.Layer;
    switch (l.kind) {
      case 'dense':
        layer = tf.layers.dense({ ...first, units: l.kernel.shape[1]!, useBias: true, name: `dense_${i}` });
        weights.push({ layer, values: [l.kernel, l.bias] });
        break;
      case 'batchNorm':
        layer = tf.layers.batchNormalization({ ...first, axis: -1, epsilon: l.epsilon, name: `batch_norm_${i}` });
        weights.push({ layer, values: [l.gamma, l.beta, l.mean, l.variance] });
        break;
      case 'layerNorm':
        layer = tf.layers.layerNormalization({ ...first, axis: -1, epsilon: l.epsilon, name: `layer_norm_${i}` });
        weights.push({ layer, values: [l.gamma, l.beta] });
        break;
      case 'activation':
        layer = l.fn === 'leakyRelu' ? tf.layers.leakyReLU({ ...first, alpha: l.alpha, name: `leaky_relu_${i}` }) : l.fn === 'elu' ? tf.layers.elu({ ...first, alpha: 1, name: `elu_${i}` }) : tf.layers.activation({ ...first, activation: l.fn, name: `${l.fn}_${i}` });
        break;
      case 'reshape':
        layer = tf.layers.reshape({ ...first, targetShape: l.shape, name: `reshape_${i}` });
        break;
      case 'deconv': {
        const [kh, kw, out] = l.kernel.shape;
        layer = tf.layers.conv2dTranspose({ ...first, filters: out, kernelSize: [kh, kw], strides: l.strides, padding: l.padding, useBias: true, name: `deconv_${i}` });
        weights.push({ layer, values: [l.kernel, l.bias] });
        break;
      }
      case 'conv': {
        const [kh, kw, , out] = l.kernel.shape;
        layer = tf.layers.conv2d({ ...first, filters: out, kernelSize: [kh, kw], strides: l.strides, padding: l.padding, useBias: true, name: `conv_${i}` });
        weights.push({ layer, values: [l.kernel, l.bias] });
        break;
      }
      case 'upsample':
        layer = tf.layers.upSampling2d({ ...first, size: [l.factor, l.factor], interpolation: 'nearest', name: `upsample_${i}` });
        break;
    }
    model.add(layer);
  });
  for (const { layer, values } of weights) layer.setWeights(values);
  return model;
}

/**
 * The trainer's generator (its sampling weights: EMA unless trainer.useEma is false; batch norm
 * with standing statistics) as a LayersModel, with the gankit.json that describes its input and
 * output. The caller disposes the model.
 */
export function generatorModel(trainer: Trainer, source: { run: string; checkpoint: 'latest' | 'best'; classNames?: readonly string[] | null }): { model: tf.Sequential; meta: ExportMeta } {
  const G = trainer.G;
  if (!G.exportLayers) throw new InputError(`export: the ${trainer.config.model.arch} generator cannot be exported`);
  const params = trainer.samplingWeights();
  const standing = trainer.standingStatistics();
  const layers = G.exportLayers(params, standing);
  let model: tf.Sequential;
  try {
    model = buildLayersModel(G.latentDim, layers);
  } finally {
    disposeLayers(layers);
  }
  const c = trainer.config;
  const codes = trainer.codes;
  const images = G.sampleShape.length === 3;
  const meta: ExportMeta = {
    format: 'gankit-generator',
    version: 1,
    run: source.run,
    step: trainer.step,
    checkpoint: source.checkpoint,
    weights: trainer.useEma && c.ema > 0 ? 'ema' : 'generator',
    loss: c.loss,
    variant: c.variant,
    data: c.data.name,
    arch: c.model.arch ?? 'mlp',
    input: {
      size: G.latentDim,
      noise: { size: c.model.noiseDim, distribution: 'normal(0, 1)' },
      categoricalCodes: codes?.categorical ?? [],
      continuousCodes: { count: codes?.continuous ?? 0, distribution: 'uniform(-1, 1)' },
      classes: trainer.classes,
      ...(trainer.classes > 0 ? { classNames: Array.from({ length: trainer.classes }, (_, k) => source.classNames?.[k] ?? String(k)) } : {}),
      order: 'noise, then each categorical code one-hot, then the continuous codes, then onehot(class)',
    },
    output: { shape: G.sampleShape, range: images ? '[-1, 1]: pixel = (v + 1) / 2 * 255' : 'data coordinates' },
    batchNorm: standing ? { statistics: 'standing', samples: (c.standingBatches ?? STANDING_BATCHES) * Math.max(c.batchSize, 64), epsilon: BN_EPSILON } : null,
  };
  return { model, meta };
}
