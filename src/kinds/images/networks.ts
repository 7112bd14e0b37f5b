/**
 * A trainer's parts for images: epoch-shuffled batches of the dataset (their position is part of
 * the checkpoint) and the convolutional G and D of the config's architecture, sized to the data,
 * the codes and the classes.
 */
import { InputError } from '../../errors.js';
import { ShuffledBatches } from '../../data/imageBatches.js';
import type { ImageDataset } from '../../data/imageBatches.js';
import { ConvGenerator, ConvDiscriminator, ConvAutoencoder, DecoderGenerator, architectureSize, discriminatorNormFor, IMAGE_ARCHITECTURES, ImageArchitecture } from '../../models/conv.js';
import { codeWidth } from '../../models/latent.js';
import type { DiscriminatorNet, GeneratorNet } from '../../models/types.js';
import { getLoss } from '../../losses/registry.js';
import type { BatchSource } from '../../data/source.js';
import { weightInitRng } from '../../train/trainer.js';
import type { RunConfig } from '../../train/fields.js';

/** Seeded, epoch-shuffled batches of a dataset in [−1, 1], with labels and checkpointable position. */
export function imageBatchSource(data: ImageDataset): BatchSource {
  const batches = new ShuffledBatches(data);
  const labelled = Boolean(data.labels) && data.classes >= 2;
  return {
    batch: (rng, n) => batches.batch(rng, n),
    labeledBatch: labelled
      ? (rng, n) => {
          const { images, labels } = batches.batchWithLabels(rng, n);
          return { x: images, labels: Int32Array.from(labels!) };
        }
      : undefined,
    classes: labelled ? data.classes : 0,
    getState: () => {
      const s = batches.getState();
      return { epoch: s.epoch, cursor: s.cursor, order: s.order ? Int32Array.from(s.order) : null };
    },
    setState: (s) => batches.setState({ epoch: s.epoch, cursor: s.cursor, order: s.order ? Array.from(s.order) : null }),
  };
}

/**
 * The most classes a conditional run takes: G gets one input per class, a concat D one image plane
 * per class (1,000 planes of 64×64 per sample is already 16 MB a sample).
 */
export const MAX_CONDITIONAL_CLASSES = 1000;

/** The networks for an image config: G and D sized to the data, the codes and the classes. */
export function imageNetworks(config: RunConfig, data: ImageDataset): { G: GeneratorNet; D: DiscriminatorNet } {
  const arch = config.model.arch as ImageArchitecture;
  const size = architectureSize(arch);
  if (data.height !== size || data.width !== size) {
    const fits = IMAGE_ARCHITECTURES.filter((a) => architectureSize(a) === data.height && data.height === data.width);
    throw new InputError(`model.arch: ${arch} makes ${size}×${size} images but ${config.data.name} has ${data.height}×${data.width}${fits.length ? ` (${fits.map((a) => `--arch ${a}`).join(' or ')} makes ${data.height}×${data.width})` : ''}`);
  }
  const loss = getLoss(config.loss);
  const classes = config.conditional !== 'none' ? data.classes : 0;
  if (classes > MAX_CONDITIONAL_CLASSES) throw new InputError(`conditional: ${config.data.name} has ${classes} classes; a conditional run takes at most ${MAX_CONDITIONAL_CLASSES} (one input per class in G, and in D a plane or an output per class)`);
  const info = config.infogan;
  const codeDim = codeWidth(info);
  const initRng = weightInitRng(config.seed);
  const latentDim = config.model.noiseDim + codeDim + classes;
  if (arch === 'began28') {
    const shape = { height: size, width: size, channels: data.channels };
    return { G: new DecoderGenerator(latentDim, shape, initRng), D: new ConvAutoencoder(shape, initRng) };
  }
  const G = new ConvGenerator(latentDim, arch, data.channels, initRng, config.model.snG === true, config.model.fcG);
  if (loss.discriminator === 'autoencoder') {
    return { G, D: new ConvAutoencoder({ height: size, width: size, channels: data.channels }, initRng) };
  }
  const D = new ConvDiscriminator(
    {
      arch,
      channels: data.channels,
      norm: discriminatorNormFor(Boolean(loss.penalty), config.model.norm),
      classes: config.conditional === 'concat' || config.conditional === 'projection' ? classes : 0,
      conditioning: config.conditional === 'projection' ? 'projection' : 'concat',
      headDim: info ? codeDim : config.conditional === 'acgan' ? classes : 0,
      headKind: info ? 'q' : 'linear',
      spectralNorm: config.model.sn === true,
    },
    initRng,
  );
  return { G, D };
}

