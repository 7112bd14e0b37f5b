/**
 * A trained generator as a TensorFlow.js LayersModel: model.json + weights.bin (the format
 * `tf.loadLayersModel` reads in a browser from a URL, in Node from a file handler such as
 * `folderHandler` below or tfjs-node's `file://`), plus gankit.json, which says what the input and
 * output mean. The layers are standard Keras/tfjs layers (dense, batchNormalization in inference
 * mode, layerNormalization, conv2dTranspose, activations), built from the generator's
 * `exportLayers` with the weights asked for (EMA by default) and batch norm's standing statistics,
 * so no gankit code is needed to run it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../engine/index.js';
import { InputError } from '../errors.js';
import { replaceFolder, writeFileAtomic } from '../io/atomic.js';
import type { ExportLayer } from '../models/types.js';

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

const concatBuffers = (data: ArrayBuffer | ArrayBuffer[]): Buffer => (Array.isArray(data) ? Buffer.concat(data.map((b) => Buffer.from(b))) : Buffer.from(data));

/**
 * Writes model.json, weights.bin and gankit.json as one folder `dir`: filled under a temporary
 * name, checked by `verify` (given that folder), then renamed into place — so a kill or a failed
 * check leaves the earlier export whole, never new weights beside an old model.json. `dir` must be
 * new, empty or an earlier export. Returns the three paths.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string, meta: ExportMeta, verify?: (written: string) => Promise<void>): Promise<string[]> {
  const names = [EXPORT_FILES.model, EXPORT_FILES.weights, EXPORT_FILES.meta];
  await replaceFolder(
    dir,
    async (staging) => {
      await model.save(
        tf.io.withSaveHandler(async (artifacts) => {
          const weights = concatBuffers(artifacts.weightData!);
          const modelJson = {
            format: 'layers-model',
            generatedBy: `TensorFlow.js tfjs-layers v${tf.version['tfjs-layers']} (gankit export)`,
            convertedBy: null,
            modelTopology: artifacts.modelTopology,
            weightsManifest: [{ paths: [EXPORT_FILES.weights], weights: artifacts.weightSpecs }],
          };
          writeFileAtomic(join(staging, EXPORT_FILES.weights), weights);
          writeFileAtomic(join(staging, EXPORT_FILES.model), JSON.stringify(modelJson));
          writeFileAtomic(join(staging, EXPORT_FILES.meta), JSON.stringify(meta, null, 2) + '\n');
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
        }),
      );
      await verify?.(staging);
    },
    (entries) => entries.every((e) => (names as string[]).includes(e)),
    () => new InputError(`--out: ${dir}: holds other files than an export (${names.join(', ')}); choose a new or empty folder, or an earlier export to replace`),
  );
  return names.map((n) => join(dir, n));
}

/** An IOHandler for `tf.loadLayersModel` that reads an exported folder from disk (Node, no tfjs-node needed). */
export function folderHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const path = join(dir, EXPORT_FILES.model);
      let json: { modelTopology: object; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
      try {
        json = JSON.parse(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new InputError(`${path}: ${(e as Error).message}`);
      }
      const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

/** Reads gankit.json of an exported folder. */
export function readExportMeta(dir: string): ExportMeta {
  const path = join(dir, EXPORT_FILES.meta);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ExportMeta;
  } catch (e) {
    throw new InputError(`${path}: ${(e as Error).message}`);
  }
}
