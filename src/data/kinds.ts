/**
 * The two kinds of data gankit trains on, told apart by the dataset's name: 2-D points (ring8,
 * grid25, spiral, moons, csv:PATH) and images (fashion-mnist, mnist, folder:PATH). The config's
 * per-kind defaults and the run task (src/kinds/) are chosen by this.
 */
export const DATA_KINDS = ['points', 'images'] as const;
export type DataKind = (typeof DATA_KINDS)[number];

/** The built-in image datasets: gankit reads them itself and ships a feature network for each. */
export const IMAGE_DATASETS = ['fashion-mnist', 'mnist'] as const;
export type BuiltinImageData = (typeof IMAGE_DATASETS)[number];

export function isBuiltinImageData(name: string): name is BuiltinImageData {
  return (IMAGE_DATASETS as readonly string[]).includes(name);
}

export function isImageData(name: string): boolean {
  return isBuiltinImageData(name) || name.startsWith('folder:');
}

export function dataKindOf(name: string): DataKind {
  return isImageData(name) ? 'images' : 'points';
}

/** Fashion-MNIST's ten classes, in label order (Xiao et al. 2017). */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The class names of a labelled dataset, in label order (MNIST's are its digits); null where there are none. */
export function classNamesOf(data: string): string[] | null {
  return data === 'fashion-mnist' ? FASHION_MNIST_CLASSES : data === 'mnist' ? Array.from({ length: 10 }, (_, i) => String(i)) : null;
}
