/**
 * The images tab: a generator exported by `gankit export` (or a shipped pretrained one, exported
 * by `npm run build:web` into pretrained/) loaded with tf.loadLayersModel, its samples one row
 * per class (conditional), InfoGAN traversals (a row per categorical value; continuous codes
 * from −2 to 2), or an 8×8 grid and latent interpolations.
 */
import { tf, Rng, engineState } from '../../src/engine/index.js';
import type { ExportMeta } from '../../src/export/layersModel.js';
import { trainMnist } from './mnist.js';

interface Loaded {
  model: tf.LayersModel;
  meta: ExportMeta;
  name: string;
}

let current: Loaded | null = null;
let seed = 1;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Rows of inputs → one canvas of images (rows × cols tiles). */
function tiles(images: tf.Tensor, rows: number, cols: number, title: string): HTMLElement {
  const [n, h, w, c] = images.shape as number[];
  const scale = 2;
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [cols * (w + 1) * scale, rows * (h + 1) * scale];
  const ctx = canvas.getContext('2d')!;
  const px = images.dataSync();
  const img = ctx.createImageData(w, h);
  const off = document.createElement('canvas');
  [off.width, off.height] = [w, h];
  for (let k = 0; k < Math.min(n, rows * cols); k++) {
    for (let i = 0; i < h * w; i++) {
      const at = (ch: number) => Math.round(((px[(k * h * w + i) * c + Math.min(ch, c - 1)] + 1) / 2) * 255);
      img.data.set([at(0), at(1), at(2), 255], 4 * i);
    }
    off.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, (k % cols) * (w + 1) * scale, Math.floor(k / cols) * (h + 1) * scale, w * scale, h * scale);
  }
  const box = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = title;
  box.append(cap, canvas);
  return box;
}

/** An input row: noise, then each categorical code one-hot, then continuous codes, then onehot(class). */
function inputRow(meta: ExportMeta, noise: Float32Array, cats: number[], conts: number[], cls: number): Float32Array {
  const row = new Float32Array(meta.input.size);
  row.set(noise);
  let at = meta.input.noise.size;
  meta.input.categoricalCodes.forEach((k, j) => {
    row[at + cats[j]] = 1;
    at += k;
  });
  conts.forEach((v, j) => (row[at + j] = v));
  at += meta.input.continuousCodes.count;
  if (meta.input.classes) row[at + cls] = 1;
  return row;
}

function views(l: Loaded): HTMLElement[] {
  const { meta, model } = l;
  const rng = new Rng(seed);
  const cols = 10;
  const noise = Array.from({ length: cols }, () => Float32Array.from(rng.normalArray(meta.input.noise.size, 0, 1)));
  const zeros = new Array(meta.input.continuousCodes.count).fill(0);
  const cats0 = meta.input.categoricalCodes.map(() => 0);
  const run = (rows: Float32Array[]) => tf.tidy(() => model.predict(tf.tensor2d(rows.flatMap((r) => Array.from(r)), [rows.length, meta.input.size])) as tf.Tensor);
  const out: HTMLElement[] = [];
  const show = (rows: Float32Array[], r: number, title: string) => {
    const y = run(rows);
    out.push(tiles(y, r, cols, title));
    y.dispose();
  };
  if (meta.input.classes) {
    const rows = Array.from({ length: meta.input.classes }, (_, k) => noise.map((z) => inputRow(meta, z, cats0, zeros, k))).flat();
    show(rows, meta.input.classes, 'one row per class (the same noise down each column)');
  }
  meta.input.categoricalCodes.forEach((k, j) => {
    const rows = Array.from({ length: k }, (_, v) => noise.map((z) => inputRow(meta, z, cats0.map((c, i) => (i === j ? v : c)), zeros, 0))).flat();
    show(rows, k, `categorical code ${j}: one row per value`);
  });
  for (let j = 0; j < meta.input.continuousCodes.count; j++) {
    const rows = noise.slice(0, 6).flatMap((z) => Array.from({ length: cols }, (_, s) => inputRow(meta, z, cats0, zeros.map((c, i) => (i === j ? -2 + (4 * s) / (cols - 1) : c)), 0)));
    show(rows, 6, `continuous code ${j}: −2 → 2 across each row`);
  }
  if (!meta.input.classes && !meta.input.categoricalCodes.length) {
    const grid = Array.from({ length: 60 }, () => inputRow(meta, Float32Array.from(rng.normalArray(meta.input.noise.size, 0, 1)), [], zeros, 0));
    show(grid, 6, 'samples');
  }
  // Latent interpolations: a straight line between two noise vectors per row.
  const lerp = Array.from({ length: 5 }, () => {
    const [a, b] = [rng.normalArray(meta.input.noise.size, 0, 1), rng.normalArray(meta.input.noise.size, 0, 1)];
    return Array.from({ length: cols }, (_, s) => inputRow(meta, Float32Array.from(a, (v, i) => v + ((b[i] - v) * s) / (cols - 1)), cats0, zeros, 0));
  }).flat();
  show(lerp, 5, 'latent interpolations (noise from one point to another along each row)');
  return out;
}

function showLoaded(): void {
  const box = $('image-views');
  if (!current) return void box.replaceChildren();
  const head = document.createElement('p');
  const m = current.meta;
  head.textContent = `${current.name}: ${m.variant ?? m.loss} on ${m.data}, ${m.arch}, step ${m.step}, ${m.weights} weights; input ${m.input.size} (${m.input.order}); output [${m.output.shape.join(', ')}]`;
  const grid = document.createElement('div');
  grid.className = 'images-grid';
  grid.replaceChildren(...views(current));
  box.replaceChildren(head, grid);
}

async function load(model: tf.LayersModel, meta: ExportMeta, name: string): Promise<void> {
  current?.model.dispose();
  current = { model, meta, name };
  showLoaded();
}

export function setupImagesTab(): void {
  const files = $('model-files') as HTMLInputElement;
  files.onchange = async () => {
    const list = Array.from(files.files ?? []);
    const json = list.find((f) => f.name === 'model.json');
    const bins = list.filter((f) => f.name.endsWith('.bin'));
    const metaFile = list.find((f) => f.name === 'gankit.json');
    if (!json || !bins.length || !metaFile) return void ($('image-views').textContent = 'choose model.json, weights.bin and gankit.json from one export folder');
    try {
      const model = await tf.loadLayersModel(tf.io.browserFiles([json, ...bins]));
      await load(model, JSON.parse(await metaFile.text()) as ExportMeta, json.name);
    } catch (e) {
      $('image-views').textContent = `could not load the model: ${(e as Error).message}`;
    }
  };
  const select = $('pretrained') as HTMLSelectElement;
  select.add(new Option('–', ''));
  fetch('pretrained/index.json')
    .then((r) => (r.ok ? r.json() : []))
    .then((names: string[]) => names.forEach((n) => select.add(new Option(n, n))))
    .catch(() => undefined);
  select.onchange = async () => {
    if (!select.value) return;
    const base = `pretrained/${select.value}/`;
    try {
      const meta = (await (await fetch(`${base}gankit.json`)).json()) as ExportMeta;
      await load(await tf.loadLayersModel(`${base}model.json`), meta, select.value);
    } catch (e) {
      $('image-views').textContent = `${select.value}: could not load (${(e as Error).message})`;
    }
  };
  $('resample').onclick = () => {
    seed++;
    showLoaded();
  };
  let training: { stop: boolean } | null = null;
  const trainButton = $('train-mnist') as HTMLButtonElement;
  const trainMnistHere = async (steps: number) => {
    if (training) {
      training.stop = true;
      return;
    }
    training = { stop: false };
    trainButton.textContent = 'stop';
    const box = $('mnist-view');
    try {
      const trainer = await trainMnist(steps, 50, (images, step, seconds) => {
        const where = engineState().device ? `on ${engineState().device!.adapter ?? 'WebGPU'}` : `on ${tf.getBackend()}`;
        box.replaceChildren(tiles(images, 8, 8, `ns on 2,000 MNIST digits, dcgan28, ${where}: step ${step}/${steps}, ${seconds.toFixed(0)} s (${(step / Math.max(seconds, 1e-9)).toFixed(2)} steps/s); tensors ${tf.memory().numTensors}`));
      }, training);
      const step = trainer.step;
      trainer.dispose();
      return step;
    } catch (e) {
      box.textContent = `training stopped: ${(e as Error).message}`;
      return 0;
    } finally {
      training = null;
      trainButton.textContent = 'train MNIST here';
    }
  };
  trainButton.onclick = () => void trainMnistHere(Number(($('mnist-steps') as HTMLInputElement).value) || 300);
  (window as unknown as { gankitImages: object }).gankitImages = {
    trainMnist: trainMnistHere,
    loadPretrained: async (name: string) => {
      select.value = name;
      await select.onchange!(new Event('change'));
      return { tiles: document.querySelectorAll('#image-views canvas').length, meta: current?.meta };
    },
  };
}
