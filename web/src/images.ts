/**
 * The images tab: a generator exported by `gankit export` (or a shipped one) shown as rows of
 * samples, and a small image run trained in the worker — its progress (step, steps/s, ETA) painted
 * every quarter second whatever a step costs, its samples as they come, and at the end its
 * generator as the three files of an export, to download or to view here.
 */
import type { ExportMeta } from '../../src/export/model.js';
import type { ImageGrid, Post } from './protocol.js';
import { ask, onPost, state } from './state.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** A grid of images as a canvas in a captioned figure; class names down the left where given. */
export function tiles(g: ImageGrid): HTMLElement {
  const [n, h, w, c] = g.shape;
  const scale = 2;
  const left = g.rowLabels ? 74 : 0;
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [left + g.cols * (w + 1) * scale, g.rows * (h + 1) * scale];
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const img = ctx.createImageData(w, h);
  const off = document.createElement('canvas');
  [off.width, off.height] = [w, h];
  for (let k = 0; k < Math.min(n, g.rows * g.cols); k++) {
    for (let i = 0; i < h * w; i++) {
      const at = (ch: number) => Math.round(((g.pixels[(k * h * w + i) * c + Math.min(ch, c - 1)] + 1) / 2) * 255);
      img.data.set([at(0), at(1), at(2), 255], 4 * i);
    }
    off.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, left + (k % g.cols) * (w + 1) * scale, Math.floor(k / g.cols) * (h + 1) * scale, w * scale, h * scale);
  }
  if (g.rowLabels) {
    ctx.fillStyle = '#333';
    ctx.font = '11px system-ui, sans-serif';
    g.rowLabels.forEach((label, r) => ctx.fillText(label, 2, r * (h + 1) * scale + h * scale * 0.6, left - 4));
  }
  const box = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = g.title;
  box.append(cap, canvas);
  return box;
}

let meta: ExportMeta | null = null;
let seed = 1;
/** The image run: its last progress, and what resolves the hook's promise. */
let training: { step: number; steps: number; seconds: number; from: number; at: number; phase?: string; device?: string; done?: (steps: number) => void } | null = null;
const urls: string[] = [];

function progressText(): string {
  if (!training) return '';
  const { step, steps, seconds, at, phase, device } = training;
  const on = device ? ` · on ${device}` : '';
  if (phase) return `step ${step}/${steps} · ${phase}… ${((performance.now() - at) / 1000).toFixed(0)} s${on}`;
  const since = (performance.now() - at) / 1000;
  const rate = step > 0 ? step / seconds : 0;
  const eta = rate > 0 ? Math.max(0, (steps - step) / rate - since) : NaN;
  return `step ${step}/${steps} · ${rate > 0 ? `${rate.toFixed(2)} steps/s` : 'starting…'} · ${Number.isFinite(eta) ? `about ${Math.ceil(eta)} s to go` : 'ETA after the first step'} · ${(seconds + since).toFixed(0)} s so far${on}`;
}

function offerExport(files: { modelJson: string; weights: ArrayBuffer; meta: string }): void {
  for (const u of urls.splice(0)) URL.revokeObjectURL(u);
  const link = (name: string, data: BlobPart, type: string) => {
    const a = document.createElement('a');
    const url = URL.createObjectURL(new Blob([data], { type }));
    urls.push(url);
    a.href = url;
    a.download = name;
    a.textContent = name;
    return a;
  };
  const box = $('mnist-export');
  const view = document.createElement('button');
  view.textContent = 'show it in the viewer above';
  view.onclick = async () => {
    const r = await ask({ type: 'viewTrained' }, 'model');
    meta = r.meta;
  };
  box.replaceChildren('the trained generator, as gankit export writes it: ', link('model.json', files.modelJson, 'application/json'), ' ', link('weights.bin', files.weights, 'application/octet-stream'), ' ', link('gankit.json', files.meta, 'application/json'), ' ', view);
}

function onImagePost(m: Post): void {
  if (m.type === 'modelViews') {
    const head = document.createElement('p');
    head.textContent = m.head;
    const grid = document.createElement('div');
    grid.className = 'images-grid';
    grid.replaceChildren(...m.grids.map(tiles));
    $('image-views').replaceChildren(head, grid);
  } else if (m.type === 'imageProgress') {
    if (training) Object.assign(training, { step: m.step, steps: m.steps, seconds: m.seconds, from: m.from, at: performance.now(), phase: m.phase, device: m.device });
    $('mnist-progress').textContent = progressText();
  } else if (m.type === 'imageSamples') {
    $('mnist-view').replaceChildren(tiles(m.grid));
  } else if (m.type === 'imageDone') {
    const t = training;
    training = null;
    ($('train-mnist') as HTMLButtonElement).textContent = 'train here';
    ($('train-mnist') as HTMLButtonElement).disabled = false;
    $('mnist-progress').textContent = (m.error ? `training stopped: ${m.error}` : `${m.stopped ? 'stopped' : 'done'} after ${m.steps} steps`) + (m.device ? ` on ${m.device}` : '');
    if (m.exported) offerExport(m.exported);
    t?.done?.(m.steps);
  }
}

/** Starts an image run (or stops the one under way); resolves with its steps when it ends. */
function trainHere(steps: number, batch?: number): Promise<number> {
  const button = $('train-mnist') as HTMLButtonElement;
  if (training) {
    // The page stops at once; the worker ends the step it is in and exports what it has.
    void ask({ type: 'stopImages' });
    button.textContent = 'stopping…';
    button.disabled = true;
    document.body.dataset.images = 'stopping';
    return Promise.resolve(training.step);
  }
  const preset = ($('mnist-preset') as HTMLSelectElement).value;
  const device = ($('mnist-device') as HTMLSelectElement).value === 'gpu' ? 'gpu' : 'page';
  batch ??= Number(($('mnist-batch') as HTMLInputElement).value) || undefined;
  return new Promise((resolve) => {
    training = { step: 0, steps, seconds: 0, from: 0, at: performance.now(), done: resolve };
    button.textContent = 'stop';
    document.body.dataset.images = 'training';
    $('mnist-export').replaceChildren();
    ask({ type: 'trainImages', preset, steps, device, ...(batch ? { batch } : {}) }).catch((e) => {
      training = null;
      button.textContent = 'train here';
      $('mnist-progress').textContent = (e as Error).message;
      resolve(0);
    });
  }).finally(() => (document.body.dataset.images = 'idle')) as Promise<number>;
}

export function setupImagesTab(): void {
  onPost(onImagePost);
  const preset = $('mnist-preset') as HTMLSelectElement;
  if (state.catalog?.fashion) preset.add(new Option('Fashion-MNIST: fine-tune the shipped generator', 'fashion'));
  preset.add(new Option('MNIST from scratch (blobs for ~1,000 steps)', 'mnist'));
  // This browser's GPU first where it has WebGPU; the progress line says where the steps ran (and why not the GPU).
  const device = $('mnist-device') as HTMLSelectElement;
  if ('gpu' in navigator) device.add(new Option('this GPU (WebGPU)', 'gpu'));
  device.add(new Option("the page's backend", 'page'));
  // The progress line is painted four times a second, between the worker's posts as well.
  setInterval(() => {
    if (training) $('mnist-progress').textContent = progressText();
  }, 250);
  const files = $('model-files') as HTMLInputElement;
  files.onchange = async () => {
    try {
      meta = (await ask({ type: 'loadModel', files: Array.from(files.files ?? []), name: files.files?.[0]?.name ?? 'model' }, 'model')).meta;
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
  const loadPretrained = async () => {
    if (!select.value) return;
    try {
      meta = (await ask({ type: 'loadModel', url: new URL(`pretrained/${select.value}/`, location.href).href, name: select.value }, 'model')).meta;
    } catch (e) {
      $('image-views').textContent = `${select.value}: could not load (${(e as Error).message})`;
    }
  };
  select.onchange = () => void loadPretrained();
  $('resample').onclick = () => void ask({ type: 'viewModel', seed: ++seed });
  ($('train-mnist') as HTMLButtonElement).onclick = () => void trainHere(Number(($('mnist-steps') as HTMLInputElement).value) || 100);
  (window as unknown as { gankitImages: object }).gankitImages = {
    trainMnist: (n: number, batch?: number) => trainHere(n, batch),
    stop: () => trainHere(0),
    progress: () => $('mnist-progress').textContent,
    loadPretrained: async (name: string) => {
      select.value = name;
      await loadPretrained();
      await ask({ type: 'ping' });
      return { tiles: document.querySelectorAll('#image-views canvas').length, meta };
    },
  };
}
