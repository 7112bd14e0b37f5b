/**
 * The feature network behind FID, KID, precision/recall and the classifier scores.
 *
 * No Inception weights can be had here, so gankit trains and ships its own small classifier per
 * dataset (`gankit featnet train --data fashion-mnist|mnist`): conv 32 (4×4, s2) → ReLU → conv 64
 * (4×4, s2) → ReLU → FC 128 → ReLU → FC classes. Features are the 128 post-ReLU activations (the
 * analogue of Inception's pool3). Numbers computed on it are comparable with each other, not with
 * published Inception-based FIDs — every report says so and gives the real-vs-real baseline.
 *
 * Weights live in assets/featnet/<name>.bin (float32, little-endian, variables in order) with
 * <name>.json holding the metadata (data, split, test accuracy, steps, shapes).
 */
import { packageRoot } from '../io/packageRoot.js';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tf, Rng, oneHotRows, Optimizer } from '../engine/index.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { ImageDataset } from '../data/images.js';
import { ShuffledBatches } from '../data/images.js';

export const FEATURE_DIM = 128;

export interface FeatureNetMeta {
  name: string;
  data: string;
  trainSplit: string;
  testSplit: string;
  testAccuracy: number;
  steps: number;
  batchSize: number;
  seed: number;
  inputShape: [number, number, number];
  classes: number;
  classNames?: string[];
  shapes: number[][];
  created: string;
  architecture: string;
}

export const FEATNET_ARCHITECTURE = 'conv32(4x4,s2)-relu-conv64(4x4,s2)-relu-fc128-relu-fc(classes)';

/** What an evaluation on this feature network says of itself (run summaries, `gankit eval`). */
export function featureNote(meta: FeatureNetMeta, referenceCount: number): string {
  return (
    `features: gankit's own ${meta.architecture} classifier trained on ${meta.data} ${meta.trainSplit} ` +
    `(test accuracy ${(100 * meta.testAccuracy).toFixed(2)} %), not Inception — numbers compare runs here, not papers; ` +
    `reference: ${referenceCount} images of ${meta.testSplit}; baseline: as many real training images against them`
  );
}

/** assets/featnet in the package (from dist/src/metrics or src/metrics alike). */
export function defaultFeatnetDir(): string {
  return join(packageRoot(import.meta.url, join('assets', 'featnet')), 'assets', 'featnet');
}

export class FeatureNet {
  readonly variables: tf.Variable[];

  constructor(
    readonly inputShape: [number, number, number],
    readonly classes: number,
    rng: Rng,
    values?: Float32Array[],
  ) {
    const [h, w, c] = inputShape;
    const flat = Math.ceil(h / 4) * Math.ceil(w / 4) * 64;
    const shapes = [
      [4, 4, c, 32], [32],
      [4, 4, 32, 64], [64],
      [flat, FEATURE_DIM], [FEATURE_DIM],
      [FEATURE_DIM, classes], [classes],
    ];
    // tidy: the initial tensors go; each variable keeps its own reference to the values.
    // Unnamed: tfjs names variables uniquely, so two networks (two scorers) can be alive at once.
    this.variables = shapes.map((shape, i) =>
      tf.tidy(() => {
        if (values) return tf.variable(tf.tensor(values[i], shape), true);
        if (shape.length === 1) return tf.variable(tf.zeros(shape), true);
        const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
        return tf.variable(tf.mul(rng.normal(shape), Math.sqrt(2 / fanIn)), true);
      }),
    );
  }

  get shapes(): number[][] {
    return this.variables.map((v) => v.shape);
  }

  /** The 128 features per image, x: [N, H, W, C] in [−1, 1]. */
  features(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const [w1, b1, w2, b2, w3, b3] = this.variables;
      let h: tf.Tensor = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, 'same'), b1));
      h = tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, w2 as tf.Tensor4D, 2, 'same'), b2));
      return tf.relu(tf.add(tf.matMul(tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D, w3 as tf.Tensor2D), b3)) as tf.Tensor2D;
    });
  }

  logits(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.logitsFromFeatures(this.features(x)));
  }

  logitsFromFeatures(f: tf.Tensor2D): tf.Tensor2D {
    const [, , , , , , w4, b4] = this.variables;
    return tf.add(tf.matMul(f, w4 as tf.Tensor2D), b4) as tf.Tensor2D;
  }

  /** Features and class probabilities for many images, in chunks; x values in [−1, 1]. */
  embed(images: Float32Array, count: number, chunk = 500): { features: Float32Array; probs: Float32Array } {
    const [h, w, c] = this.inputShape;
    const size = h * w * c;
    const features = new Float32Array(count * FEATURE_DIM);
    const probs = new Float32Array(count * this.classes);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      tf.tidy(() => {
        const x = tf.tensor4d(images.subarray(start * size, (start + n) * size), [n, h, w, c]);
        const f = this.features(x);
        features.set(f.dataSync(), start * FEATURE_DIM);
        probs.set(tf.softmax(this.logitsFromFeatures(f)).dataSync(), start * this.classes);
      });
    }
    return { features, probs };
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/** Dataset pixels (uint8) as floats in [−1, 1]. */
export function toSigned(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 127.5 - 1;
  return out;
}

/** The index of the largest entry of each row of a row-major [n, k] array. */
export function argmaxRows(probs: Float32Array, k: number): Int32Array {
  const n = probs.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Share of argmax predictions equal to the labels. */
export function accuracy(probs: Float32Array, labels: ArrayLike<number>, classes: number): number {
  const predicted = argmaxRows(probs, classes);
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / labels.length;
}

export interface FeatnetTrainOptions {
  name: string;
  data: string;
  train: ImageDataset;
  test: ImageDataset;
  trainSplit: string;
  testSplit: string;
  epochs: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  onProgress?: (info: { step: number; steps: number; loss: number; epoch: number }) => void;
}

/** Trains the classifier with Adam on cross-entropy; returns it with its test accuracy. */
export function trainFeatureNet(o: FeatnetTrainOptions): { net: FeatureNet; meta: FeatureNetMeta } {
  const { train, test } = o;
  if (!train.labels || !test.labels) throw new InputError(`featnet: data '${o.data}' has no class labels`);
  const classes = Math.max(...train.labels) + 1;
  const batchSize = o.batchSize ?? 128;
  const seed = o.seed ?? 1;
  const rng = new Rng(seed);
  const net = new FeatureNet([train.height, train.width, train.channels], classes, new Rng(seed ^ 0xfea7));
  const opt = new Optimizer({ name: 'adam', lr: o.lr ?? 1e-3, beta1: 0.9, beta2: 0.999 }, net.variables);
  const batches = new ShuffledBatches(train);
  const steps = Math.ceil((o.epochs * train.count) / batchSize);
  for (let step = 0; step < steps; step++) {
    const lrScale = step < steps * 0.7 ? 1 : 0.1;
    const loss = tf.tidy(() => {
      const { images, labels } = batches.batchWithLabels(rng, batchSize);
      const onehot = oneHotRows(labels!, classes);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(onehot, net.logits(images)) as tf.Scalar, net.variables);
      opt.apply(net.variables.map((v) => grads[v.name]), lrScale);
      return value.dataSync()[0];
    });
    o.onProgress?.({ step: step + 1, steps, loss, epoch: batches.epoch });
  }
  const { probs } = net.embed(toSigned(test.pixels), test.count);
  const meta: FeatureNetMeta = {
    name: o.name,
    data: o.data,
    trainSplit: o.trainSplit,
    testSplit: o.testSplit,
    testAccuracy: accuracy(probs, test.labels, classes),
    steps,
    batchSize,
    seed,
    inputShape: net.inputShape,
    classes,
    classNames: train.classNames,
    shapes: net.shapes,
    created: new Date().toISOString(),
    architecture: FEATNET_ARCHITECTURE,
  };
  return { net, meta };
}

export function saveFeatureNet(net: FeatureNet, meta: FeatureNetMeta, dir: string): { json: string; bin: string } {
  const parts = net.variables.map((v) => v.dataSync() as Float32Array);
  const total = parts.reduce((s, p) => s + p.length, 0);
  const all = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  const bin = join(dir, `${meta.name}.bin`);
  const json = join(dir, `${meta.name}.json`);
  writeFileAtomic(bin, Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  writeFileAtomic(json, JSON.stringify(meta, null, 2) + '\n');
  return { json, bin };
}

/** Loads assets/featnet/<name> (or a path to its .json); a clear error when missing or malformed. */
export function loadFeatureNet(nameOrPath: string, dir = defaultFeatnetDir()): { net: FeatureNet; meta: FeatureNetMeta } {
  const json = nameOrPath.endsWith('.json') ? nameOrPath : join(dir, `${nameOrPath}.json`);
  if (!existsSync(json)) throw new InputError(`${json}: no feature network '${nameOrPath}' (train one with: gankit featnet train --data ${nameOrPath})`);
  let meta: FeatureNetMeta;
  try {
    meta = JSON.parse(readFileSync(json, 'utf8')) as FeatureNetMeta;
  } catch (e) {
    throw new InputError(`${json}: not valid JSON (${(e as Error).message})`);
  }
  const bin = json.replace(/\.json$/, '.bin');
  if (!existsSync(bin)) throw new InputError(`${bin}: missing weights file for feature network '${meta.name}'`);
  const buffer = readFileSync(bin);
  const expected = meta.shapes.reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0);
  if (buffer.byteLength !== expected * 4) throw new InputError(`${bin}: ${buffer.byteLength} bytes, expected ${expected * 4} for shapes ${JSON.stringify(meta.shapes)}`);
  const all = new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  let offset = 0;
  const values = meta.shapes.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = all.subarray(offset, offset + n);
    offset += n;
    return v;
  });
  return { net: new FeatureNet(meta.inputShape, meta.classes, new Rng(0), values), meta };
}
