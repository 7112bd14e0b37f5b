/**
 * A trainer for 2-D points: the dataset named in the config, drawn with the trainer's Rng, and MLP
 * networks (G: z [+ codes] → 2; D: 2 → 1, an autoencoder for BEGAN, a Q head for InfoGAN). Needs
 * no Node module (a CSV file aside), so the same trainer runs in a page.
 */
import { tf } from '../../engine/index.js';
import { pointDataset, PointDataset } from '../../data/points.js';
import { getLoss } from '../../losses/registry.js';
import { codeWidth } from '../../models/latent.js';
import { MlpGenerator, mlpDiscriminator } from '../../models/mlpNets.js';
import type { DiscriminatorNet, GeneratorNet } from '../../models/types.js';
import type { BatchSource } from '../../data/source.js';
import { Trainer, trainerOwning, weightInitRng } from '../../train/trainer.js';
import type { RunConfig } from '../../train/fields.js';

/** Batches of a point dataset as [n, 2] tensors. */
export function pointsBatchSource(data: PointDataset): BatchSource {
  return { batch: (rng, n) => tf.tensor2d(data.sample(rng, n), [n, 2]) };
}

/** The MLPs of a 2-D config (weights from the config's seed). */
export function pointsNetworks(config: RunConfig): { G: GeneratorNet; D: DiscriminatorNet } {
  const { generator, discriminator } = config.model;
  if (!generator || !discriminator) throw new Error('a 2-D config needs model.generator and model.discriminator');
  const rng = weightInitRng(config.seed);
  const codes = codeWidth(config.infogan);
  const G = new MlpGenerator(config.model.noiseDim + codes, 2, generator, rng);
  const D = mlpDiscriminator(getLoss(config.loss).discriminator, discriminator, rng, codes, config.model.sn === true);
  return { G, D };
}

/** The dataset a 2-D config names (csv:PATH reads the file). */
export function pointsDataOf(config: RunConfig): PointDataset {
  return pointDataset(config.data.name, { radius: config.data.radius, std: config.data.std });
}

/** A trainer for a 2-D config, and its dataset. */
export function pointsTrainer(config: RunConfig): { trainer: Trainer; data: PointDataset } {
  const data = pointsDataOf(config);
  return { trainer: trainerOwning(config, pointsBatchSource(data), pointsNetworks(config)), data };
}
