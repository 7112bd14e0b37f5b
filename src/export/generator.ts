/** `gankit export` and the library's exportGenerator: a trained run's generator as a tfjs LayersModel. */
import { tf, Rng } from '../engine/index.js';
import { InputError } from '../errors.js';
import type { Trainer } from '../train/trainer.js';
import { STANDING_BATCHES } from '../train/sampling.js';
import { BN_EPSILON } from '../models/conv.js';
import { buildLayersModel, disposeLayers, folderHandler, saveLayersModel } from './layersModel.js';
import type { ExportMeta } from './layersModel.js';

export interface ExportResult {
  paths: string[];
  meta: ExportMeta;
  /** max |exported(z) − gankit's G(z)| on CHECK_SAMPLES draws, after loading the written files back. */
  maxDifference: number;
}

export const CHECK_SAMPLES = 64;
/** Exported and gankit outputs further apart than this are an error (float32 kernels differ in summation order only). */
export const EXPORT_TOLERANCE = 1e-4;

/**
 * Writes the trainer's generator (its sampling weights: EMA unless trainer.useEma is false; batch
 * norm with standing statistics) to `dir`, loads the files back with tf.loadLayersModel and
 * compares the two on the same inputs; a difference above EXPORT_TOLERANCE (before writing, or
 * after reading back, when nothing at `dir` has changed) is an error. The folder is replaced as a
 * whole (saveLayersModel): an earlier export there is never mixed with this one.
 */
export async function exportGenerator(trainer: Trainer, dir: string, source: { run: string; checkpoint: 'latest' | 'best' }): Promise<ExportResult> {
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
      order: 'noise, then each categorical code one-hot, then the continuous codes, then onehot(class)',
    },
    output: { shape: G.sampleShape, range: images ? '[-1, 1]: pixel = (v + 1) / 2 * 255' : 'data coordinates' },
    batchNorm: standing ? { statistics: 'standing', samples: STANDING_BATCHES * Math.max(c.batchSize, 64), epsilon: BN_EPSILON } : null,
  };
  const difference = (m: tf.LayersModel) =>
    tf.tidy(() => {
      const z = trainer.latent(new Rng(0xc4ec), CHECK_SAMPLES).z;
      return tf.max(tf.abs(tf.sub(G.generate(z, params, standing), m.predict(z) as tf.Tensor))).dataSync()[0];
    });
  const refuse = (d: number, what: string) => {
    if (!(d <= EXPORT_TOLERANCE)) throw new Error(`export: ${what} differs from the generator by ${d} (more than ${EXPORT_TOLERANCE}); nothing was kept`);
  };
  try {
    // Checked before anything is written, then again as written and read back (before it replaces anything at `dir`).
    refuse(difference(model), 'the built model');
    let maxDifference = NaN;
    const paths = await saveLayersModel(model, dir, meta, async (written) => {
      const loaded = await tf.loadLayersModel(folderHandler(written));
      maxDifference = difference(loaded);
      loaded.dispose();
      refuse(maxDifference, 'the model read back from the files');
    });
    return { paths, meta, maxDifference };
  } finally {
    model.dispose();
  }
}
