/**
 * Scores a folder of images made elsewhere (PyTorch, another library, a paper's released samples)
 * on gankit's feature network, against the same reference and real-vs-real baseline a gankit run
 * of that data gets: `gankit eval --images DIR --data fashion-mnist`. The images are read as the
 * data's shape (28×28 grey for Fashion-MNIST and MNIST; other sizes are resized, with a warning).
 */
import { InputError } from '../../errors.js';
import { loadImageData } from '../../data/imageData.js';
import { loadImageFolder } from '../../data/folder.js';
import { subset } from '../../data/imageData.js';
import { ImageEvaluator } from '../../metrics/imageEval.js';
import type { ImageScores } from '../../metrics/imageEval.js';
import { loadFeatureNet } from '../../metrics/featnet.js';
import { toSigned } from '../../metrics/featnet.js';

export const SCORABLE_DATA = ['fashion-mnist', 'mnist'] as const;

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

export async function scoreImageFolder(dir: string, data: string, n: number, warn: (m: string) => void = () => {}): Promise<FolderScores> {
  if (!(SCORABLE_DATA as readonly string[]).includes(data)) throw new InputError(`--data: '${data}' has no feature network (choose ${SCORABLE_DATA.join(' or ')})`);
  const train = await loadImageData(data, { split: 'train' });
  const reference = await loadImageData(data, { split: 'test' });
  // `gankit sample --out` puts grid.png beside the samples: it is not a sample.
  const folder = await loadImageFolder(dir, { height: train.height, width: train.width, channels: train.channels as 1 | 3, warn, exclude: ['grid.png'] });
  if (folder.count < 10) throw new InputError(`${dir}: ${folder.count} image(s); scoring needs at least 10`);
  const count = Math.min(n, folder.count);
  if (folder.count < n) warn(`gankit: ${dir} holds ${folder.count} images, fewer than --n ${n}; scoring all ${folder.count} (scores from fewer samples are biased: FID upwards)`);
  const { net, meta } = loadFeatureNet(data);
  try {
    const note =
      `features: gankit's own ${meta.architecture} classifier trained on ${meta.data} ${meta.trainSplit}, not Inception; ` +
      `reference: ${Math.min(n, reference.count)} images of ${meta.testSplit}; baseline: as many real training images against them`;
    const evaluator = ImageEvaluator.create(net, reference, train, n, note);
    const picked = subset(folder, Array.from({ length: count }, (_, i) => i));
    const scores = evaluator.score(toSigned(picked.pixels), count);
    return { images: dir, data, count, found: folder.count, scores, realVsReal: evaluator.baseline, evaluation: note };
  } finally {
    net.dispose();
  }
}
