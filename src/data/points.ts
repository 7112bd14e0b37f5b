/**
 * 2-D point distributions for the mode-collapse benchmark (VEEGAN, PacGAN) and for looking at
 * what a GAN does.
 *
 * - `ring8`: 8 Gaussians with centres r·(cos 2πk/8, sin 2πk/8), k = 0…7 — eight *distinct*
 *   centres (the widely copied linspace(0, 2π, 8) puts the first and last on the same point).
 *   Default r = 2, σ = 0.02 (VEEGAN's ring); PacGAN uses r = 1, σ = 0.01.
 * - `grid25`: 25 Gaussians at {−4, −2, 0, 2, 4}², σ = 0.05 (VEEGAN, PacGAN).
 * - `spiral`: a noisy two-turn Archimedean spiral, r = 2t, θ = 4πt, t ~ U[0.1, 1], noise σ 0.05.
 * - `moons`: two interleaving half circles (as scikit-learn's make_moons), noise σ 0.05.
 * - `csv:PATH`: a user's file of 2-D points, sampled uniformly with replacement.
 *
 * Every draw uses the caller's seeded Rng. Nothing here needs Node except reading a CSV file
 * (`csvPoints`); `parseCsvPoints` takes the text, e.g. a file uploaded in a page.
 */
import { Rng } from '../engine/index.js';
import { InputError } from '../errors.js';

export interface GaussianModes {
  centers: Array<[number, number]>;
  std: number;
}

export interface PointDataset {
  name: string;
  description: string;
  /** n points as a flat [x0, y0, x1, y1, …] array. */
  sample(rng: Rng, n: number): Float32Array;
  /** The mixture components, where the distribution is a Gaussian mixture. */
  modes?: GaussianModes;
}

export interface PointDatasetOptions {
  /** ring8 radius (default 2). */
  radius?: number;
  /** Standard deviation of each component (ring8 default 0.02, grid25 default 0.05). */
  std?: number;
}

function mixture(name: string, description: string, centers: Array<[number, number]>, std: number): PointDataset {
  return {
    name,
    description,
    modes: { centers, std },
    sample(rng, n) {
      const out = new Float32Array(2 * n);
      const noise = rng.normalArray(2 * n, 0, std);
      for (let i = 0; i < n; i++) {
        const [cx, cy] = centers[rng.int(centers.length)];
        out[2 * i] = cx + noise[2 * i];
        out[2 * i + 1] = cy + noise[2 * i + 1];
      }
      return out;
    },
  };
}

export function ring8({ radius = 2, std = 0.02 }: PointDatasetOptions = {}): PointDataset {
  const centers = Array.from({ length: 8 }, (_, k) => [radius * Math.cos((2 * Math.PI * k) / 8), radius * Math.sin((2 * Math.PI * k) / 8)] as [number, number]);
  return mixture('ring8', `8 Gaussians on a circle of radius ${radius}, σ = ${std}`, centers, std);
}

export function grid25({ std = 0.05 }: PointDatasetOptions = {}): PointDataset {
  const centers: Array<[number, number]> = [];
  for (const x of [-4, -2, 0, 2, 4]) for (const y of [-4, -2, 0, 2, 4]) centers.push([x, y]);
  return mixture('grid25', `25 Gaussians at {−4,−2,0,2,4}², σ = ${std}`, centers, std);
}

export function spiral(): PointDataset {
  return {
    name: 'spiral',
    description: 'two-turn spiral r = 2t, θ = 4πt, t ~ U[0.1, 1], noise σ 0.05',
    sample(rng, n) {
      const out = new Float32Array(2 * n);
      const noise = rng.normalArray(2 * n, 0, 0.05);
      for (let i = 0; i < n; i++) {
        const t = 0.1 + 0.9 * rng.next();
        out[2 * i] = 2 * t * Math.cos(4 * Math.PI * t) + noise[2 * i];
        out[2 * i + 1] = 2 * t * Math.sin(4 * Math.PI * t) + noise[2 * i + 1];
      }
      return out;
    },
  };
}

export function moons(): PointDataset {
  return {
    name: 'moons',
    description: 'two interleaving half circles, noise σ 0.05',
    sample(rng, n) {
      const out = new Float32Array(2 * n);
      const noise = rng.normalArray(2 * n, 0, 0.05);
      for (let i = 0; i < n; i++) {
        const angle = Math.PI * rng.next();
        const upper = rng.next() < 0.5;
        out[2 * i] = (upper ? Math.cos(angle) : 1 - Math.cos(angle)) + noise[2 * i];
        out[2 * i + 1] = (upper ? Math.sin(angle) : 0.5 - Math.sin(angle)) + noise[2 * i + 1];
      }
      return out;
    },
  };
}

/** Reads a CSV file of 2-D points (Node only; see `parseCsvPoints`). */
export function csvPoints(path: string): PointDataset {
  // Through getBuiltinModule rather than an import, so that this module also loads in a page.
  const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (!fs) throw new InputError(`${path}: reading a CSV file needs Node; pass the text to parseCsvPoints`);
  let text: string;
  try {
    // A device (/dev/zero) or a FIFO would be read forever: only a regular file of a sane size is data.
    const st = fs.statSync(path);
    if (!st.isFile()) throw new InputError(`${path}: not a regular file (${fileKind(st)}); a CSV of points must be one`);
    if (st.size > MAX_CSV_BYTES) throw new InputError(`${path}: ${st.size} bytes; a CSV of points may have at most ${MAX_CSV_BYTES} (about 10 million points)`);
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path}: cannot read the CSV file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseCsvPoints(text, path);
}

/** The largest CSV file of points read (256 MiB). */
export const MAX_CSV_BYTES = 256 * 2 ** 20;

/** What a file that is not a regular one is, in words. */
export function fileKind(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  return st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a file';
}

/**
 * The largest coordinate a CSV point may have: the networks square their inputs' scale (1e30
 * squared overflows float32; 1e39 is not even a float32), and data this far out is a unit mistake.
 */
export const MAX_COORDINATE = 1e6;

/** 2-D points from CSV text (`x,y` per line; one header line allowed; `#` comments skipped); `path` names it in errors. */
export function parseCsvPoints(text: string, path: string): PointDataset {
  const points: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(/[,;\t ]+/);
    const values = cells.map(Number);
    if (cells.length !== 2 || values.some((v) => !Number.isFinite(v))) {
      if (points.length === 0 && index === lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'))) return; // header
      throw new InputError(`${path}:${index + 1}: expected two numbers 'x,y', got '${line.slice(0, 60)}'`);
    }
    const far = values.find((v) => Math.abs(v) > MAX_COORDINATE);
    if (far !== undefined) throw new InputError(`${path}:${index + 1}: ${far} is beyond ±${MAX_COORDINATE}, the coordinates gankit trains on (rescale the data)`);
    points.push(values[0], values[1]);
  });
  if (points.length < 4) throw new InputError(`${path}: needs at least 2 points, found ${points.length / 2}`);
  const data = Float32Array.from(points);
  const count = data.length / 2;
  return {
    name: `csv:${path}`,
    description: `${count} points from ${path}`,
    sample(rng, n) {
      const out = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const j = rng.int(count);
        out[2 * i] = data[2 * j];
        out[2 * i + 1] = data[2 * j + 1];
      }
      return out;
    },
  };
}

export const POINT_DATASETS = ['ring8', 'grid25', 'spiral', 'moons'] as const;

/** The dataset named `name` (`ring8`, `grid25`, `spiral`, `moons` or `csv:PATH`). */
export function pointDataset(name: string, options: PointDatasetOptions = {}): PointDataset {
  if (name.startsWith('csv:')) return csvPoints(name.slice(4));
  switch (name) {
    case 'ring8':
      return ring8(options);
    case 'grid25':
      return grid25(options);
    case 'spiral':
      return spiral();
    case 'moons':
      return moons();
    default:
      throw new InputError(`unknown dataset '${name}' (choose one of ${POINT_DATASETS.join(', ')}, csv:PATH)`);
  }
}
