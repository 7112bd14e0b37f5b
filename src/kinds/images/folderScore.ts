/**
 * Scores a folder of images made elsewhere (PyTorch, another library, a paper's released samples)
 * on gankit's feature network, against the same reference and real-vs-real baseline a gankit run
 * of that data gets: `gankit eval --images DIR --data fashion-mnist`. The images are read as the
 * data's shape (28×28 grey for Fashion-MNIST and MNIST; other sizes are resized, with a warning).
 * A scorer embeds the reference and baseline once and then scores any number of folders
 * (`npm run bench:fashion -- --torch` scores every step folder of a PyTorch run with one).
 */
import { InputError } from '../../errors.js';
import { IMAGE_DATASETS, isBuiltinImageData, loadImageData, subset } from '../../data/imageData.js';
import type { ImageDataset } from '../../data/images.js';
import { loadImageFolder } from '../../data/folder.js';
import { ImageEvaluator } from '../../metrics/imageEval.js';
import type { ImageScores } from '../../metrics/imageEval.js';
import { featureNote, loadFeatureNet, toSigned } from '../../metrics/featnet.js';

/** The data a folder can be scored as: those with a feature network, the built-in image datasets. */
export const SCORABLE_DATA = IMAGE_DATASETS;

export interface FolderScores {
  images: string;
  data: string;
  /** Images scored (the first n in file order when the folder holds more). */
  count: number;
  /** Images found in the folder. */
  found: number;
  scores: ImageScores;
  realVsReal: ImageScores;
  evaluation: string;
}

export interface FolderScorer {
  /** Reads `dir` as samples of the data (≥ 10 images) and scores the first n. */
  score(dir: string, warn?: (m: string) => void): Promise<FolderScores>;
  dispose(): void;
}

/** Throws unless `data` has a feature network; `what` names the input in the error. */
export function checkScorable(data: string, what = '--data'): void {
  if (!isBuiltinImageData(data)) throw new InputError(`${what}: '${data}' has no feature network (choose ${SCORABLE_DATA.join(' or ')})`);
}

/** A folder of samples, read as `train`'s image shape (grid.png left out); at least 10 images. */
export async function readSampleFolder(dir: string, train: ImageDataset, warn: (m: string) => void, skipUnreadable = false): Promise<ImageDataset> {
  // `gankit sample --out` puts grid.png beside the samples: it is not a sample.
  const folder = await loadImageFolder(dir, { height: train.height, width: train.width, channels: train.channels as 1 | 3, warn, exclude: ['grid.png'], skipUnreadable });
  if (folder.count < 10) throw new InputError(`${dir}: ${folder.count} image(s); scoring needs at least 10`);
  return folder;
}

interface Prepared {
  evaluator: ImageEvaluator;
  note: string;
  dispose(): void;
}

/** The feature network, reference features and baseline of `data` for n samples. */
async function prepare(data: string, n: number, train: ImageDataset): Promise<Prepared> {
  const reference = await loadImageData(data, { split: 'test' });
  const { net, meta } = loadFeatureNet(data);
  const note = featureNote(meta, Math.min(n, reference.count));
  try {
    return { evaluator: ImageEvaluator.create(net, reference, train, n, note), note, dispose: () => net.dispose() };
  } catch (e) {
    net.dispose();
    throw e;
  }
}

function scoreSamples(p: Prepared, folder: ImageDataset, dir: string, data: string, n: number, warn: (m: string) => void): FolderScores {
  const count = Math.min(n, folder.count);
  if (folder.count < n) warn(`gankit: ${dir} holds ${folder.count} images, fewer than --n ${n}; scoring all ${folder.count} (scores from fewer samples are biased: FID upwards)`);
  const picked = subset(folder, Array.from({ length: count }, (_, i) => i));
  const scores = p.evaluator.score(toSigned(picked.pixels), count);
  return { images: dir, data, count, found: folder.count, scores, realVsReal: p.evaluator.baseline, evaluation: p.note };
}

/** A scorer for many folders: the reference and baseline are embedded once. */
export async function imageFolderScorer(data: string, n: number): Promise<FolderScorer> {
  checkScorable(data);
  const train = await loadImageData(data, { split: 'train' });
  const p = await prepare(data, n, train);
  return {
    score: async (dir, warn = () => {}) => scoreSamples(p, await readSampleFolder(dir, train, warn), dir, data, n, warn),
    dispose: () => p.dispose(),
  };
}

/** One folder: read first (a bad folder fails before the feature network is loaded), then scored; `skipUnreadable` leaves out (and names) files that cannot be read. */
export async function scoreImageFolder(dir: string, data: string, n: number, warn: (m: string) => void = () => {}, skipUnreadable = false): Promise<FolderScores> {
  checkScorable(data);
  const train = await loadImageData(data, { split: 'train' });
  const folder = await readSampleFolder(dir, train, warn, skipUnreadable);
  const p = await prepare(data, n, train);
  try {
    return scoreSamples(p, folder, dir, data, n, warn);
  } finally {
    p.dispose();
  }
}
