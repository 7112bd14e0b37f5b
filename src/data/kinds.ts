/**
 * The two kinds of data gankit trains on, told apart by the dataset's name: 2-D points (ring8,
 * grid25, spiral, moons, csv:PATH) and images (fashion-mnist, mnist, folder:PATH). The config's
 * per-kind defaults and the run task (src/kinds/) are chosen by this.
 */
export const DATA_KINDS = ['points', 'images'] as const;
export type DataKind = (typeof DATA_KINDS)[number];

export const IMAGE_DATASETS = ['fashion-mnist', 'mnist'] as const;

export function isImageData(name: string): boolean {
  return (IMAGE_DATASETS as readonly string[]).includes(name) || name.startsWith('folder:');
}

export function dataKindOf(name: string): DataKind {
  return isImageData(name) ? 'images' : 'points';
}
