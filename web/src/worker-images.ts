/**
 * The images tab's half of the worker: a generator exported by `gankit export` (or a shipped one)
 * as rows of samples, class rows, code traversals and latent interpolations; and a small image
 * run trained here with the library's trainer. Two presets: fine-tune the shipped Fashion-MNIST
 * generator with its discriminator (`fashion-mnist-ns`, recognisable garments from the first
 * frame) on 2,000 Fashion-MNIST images, or the standard GAN from scratch on 2,000 MNIST digits
 * (strokes and blobs for the first ~1,000 steps). The run trains one step at a time and reads its
 * messages between steps; when it ends, its generator is exported in memory (the files `gankit
 * export` writes) for the page to download or view.
 */
import { tf, Rng, deviceBackend, setDevice, startWebGpu, webGpuAdapter } from '../../src/engine/index.js';
import type { ImageDataset } from '../../src/data/imageBatches.js';
import { classNamesOf } from '../../src/data/kinds.js';
import { imageBatchSource, imageNetworks } from '../../src/kinds/images/networks.js';
import { resolveConfig } from '../../src/train/config.js';
import { trainerOwning } from '../../src/train/trainer.js';
import type { Trainer } from '../../src/train/trainer.js';
import { EXPORT_FILES, generatorModel } from '../../src/export/model.js';
import type { ExportMeta } from '../../src/export/model.js';
import type { ImageGrid, Post, Reply, Request } from './protocol.js';

/** Previews drawn while training every this many steps; the samples at the end are the CLI's. */
const SAMPLE_EVERY = 10;

/** The shipped generator the Fashion preset fine-tunes (npm run build:web writes it to pretrained/NAME/trainer.*). */
export const FINE_TUNE = 'fashion-mnist-ns';

export const IMAGE_PRESETS: Record<string, { label: string; data: string }> = {
  fashion: { label: `Fashion-MNIST: fine-tune the shipped ${FINE_TUNE} generator with its discriminator`, data: 'data/fashion-2000.bin' },
  mnist: { label: 'MNIST digits from scratch: the standard GAN on dcgan28 (blobs for the first ~1,000 steps)', data: 'data/mnist-2000.bin' },
};

let viewer: { model: tf.LayersModel; meta: ExportMeta; name: string } | null = null;
let run: { stop: boolean } | null = null;
let trained: { modelJson: string; weights: ArrayBuffer; meta: string } | null = null;
const datasets = new Map<string, ImageDataset>();

async function images(path: string, name: string): Promise<ImageDataset> {
  const known = datasets.get(path);
  if (known) return known;
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status} (build the page with npm run build:web)`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length === 0 || bytes.length % 785) throw new Error(`${path}: ${bytes.length} bytes is not a whole number of 28×28 images with labels`);
  const count = bytes.length / 785;
  const d: ImageDataset = { name, pixels: bytes.subarray(0, count * 784), labels: bytes.subarray(count * 784), count, height: 28, width: 28, channels: 1, classes: 10 };
  datasets.set(path, d);
  return d;
}

export async function hasFashion(): Promise<boolean> {
  const ok = (p: string) => fetch(p, { method: 'HEAD' }).then((r) => r.ok).catch(() => false);
  return (await ok(IMAGE_PRESETS.fashion.data)) && (await ok(`pretrained/${FINE_TUNE}/trainer.json`));
}

/** The shipped generator's config and weights (G, G's EMA copy and D), as the build wrote them. */
async function shippedTrainer(steps: number, d: ImageDataset, batch: number | undefined): Promise<Trainer> {
  const base = `pretrained/${FINE_TUNE}/`;
  const manifest = (await (await fetch(`${base}trainer.json`)).json()) as { config: Record<string, unknown>; step: number; discriminator: boolean; arrays: Array<[string, number]> };
  const bytes = await (await fetch(`${base}trainer.bin`)).arrayBuffer();
  // A batch of 32 unless asked (the run's was 64): a step in half the time, the same learning rate.
  const { compute: _c, ...shipped } = manifest.config;
  void _c;
  const config = resolveConfig({ ...shipped, steps: manifest.step + steps, batchSize: batch ?? 32 });
  const trainer = trainerOwning(config, imageBatchSource(d), imageNetworks(config, d));
  const arrays: Record<string, Float32Array> = {};
  let at = 0;
  for (const [name, n] of manifest.arrays) {
    arrays[name] = new Float32Array(bytes, at, n);
    at += 4 * n;
  }
  trainer.loadWeights(arrays, manifest.step, manifest.discriminator);
  return trainer;
}

/**
 * 64 samples as the CLI draws them (EMA weights, standing batch-norm statistics: about 50 forward
 * passes), or — `preview`, while training — with the batch's own statistics, one forward pass.
 */
function samplesGrid(trainer: Trainer, title: string, preview: boolean): ImageGrid {
  const [h, w, c] = trainer.G.sampleShape as [number, number, number];
  const pixels = preview ? tf.tidy(() => trainer.G.generate(trainer.latent(new Rng(7), 64).z, trainer.samplingWeights()).dataSync() as Float32Array) : trainer.sample(64, new Rng(7));
  return { title: preview ? `${title} (preview: the batch's own batch-norm statistics)` : title, pixels, shape: [64, h, w, c], rows: 8, cols: 8 };
}

/** The exported files of the trainer's generator, built and read back in memory. */
async function exportFiles(trainer: Trainer, name: string): Promise<{ modelJson: string; weights: ArrayBuffer; meta: string }> {
  const { model, meta } = generatorModel(trainer, { run: name, checkpoint: 'latest' });
  try {
    let out: { modelJson: string; weights: ArrayBuffer; meta: string } | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const parts = Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData!];
        const weights = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
        let at = 0;
        for (const p of parts) {
          weights.set(new Uint8Array(p), at);
          at += p.byteLength;
        }
        const modelJson = JSON.stringify({
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version['tfjs-layers']} (gankit playground)`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [EXPORT_FILES.weights], weights: artifacts.weightSpecs }],
        });
        out = { modelJson, weights: weights.buffer, meta: JSON.stringify(meta, null, 2) + '\n' };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
      }),
    );
    return out!;
  } finally {
    model.dispose();
  }
}

/**
 * Where an image run's steps go: this browser's WebGPU when asked for and it starts (the webgpu
 * backend as a device beside the page's backend, src/engine/device.ts: the steps run there, the
 * pictures and the export on the page's backend), else the page's backend, with the reason.
 */
async function imageDevice(wanted: 'gpu' | 'page'): Promise<{ device: string | null; text: string }> {
  const page = tf.getBackend();
  if (wanted !== 'gpu') return { device: deviceBackend(), text: deviceBackend() ? `${deviceBackend()} (the page's backend)` : page };
  try {
    if (!tf.engine().registry.webgpu) await startWebGpu();
    return { device: 'webgpu', text: `WebGPU on ${webGpuAdapter() ?? 'this browser'}` };
  } catch (e) {
    return { device: deviceBackend(), text: `${deviceBackend() ?? page} (WebGPU could not start: ${(e as Error).message})` };
  }
}

async function trainImages(preset: string, steps: number, wanted: 'gpu' | 'page', batch: number | undefined, post: (m: Post) => void, exclusive: <T>(f: () => Promise<T> | T) => Promise<T>): Promise<void> {
  const p = IMAGE_PRESETS[preset];
  if (!p) throw new Error(`no image preset '${preset}' (${Object.keys(IMAGE_PRESETS).join(', ')})`);
  const me = { stop: false };
  run = me;
  let trainer: Trainer | null = null;
  let done = 0;
  const { device, text } = await exclusive(() => imageDevice(wanted));
  // The run's work with its device in place; the 2-D sessions' work (other exclusive stretches) keeps theirs.
  const onRunDevice = <T>(f: () => Promise<T> | T) =>
    exclusive(async () => {
      const before = deviceBackend();
      setDevice(device);
      try {
        return await f();
      } finally {
        setDevice(before);
      }
    });
  try {
    const d = await images(p.data, preset === 'fashion' ? 'fashion-mnist' : 'mnist');
    if (preset === 'fashion') trainer = await shippedTrainer(steps, d, batch);
    else {
      const config = resolveConfig({ loss: 'ns', data: { name: 'mnist' }, steps, seed: 1, ...(batch ? { batchSize: batch } : {}) });
      trainer = trainerOwning(config, imageBatchSource(d), imageNetworks(config, d));
    }
    const t = trainer;
    const from = t.step;
    const started = performance.now();
    const show = async (preview: boolean) => {
      await t.hostReady(false);
      post({ type: 'imageSamples', step: done, grid: samplesGrid(t, `step ${done}/${steps}${from ? ` of fine-tuning (from the shipped step ${from})` : ''}`, preview) });
    };
    post({ type: 'imageProgress', step: 0, steps, seconds: 0, from, device: text });
    if (from) await show(true);
    while (done < steps && !me.stop) {
      await onRunDevice(() => t.trainStepAsync());
      done++;
      post({ type: 'imageProgress', step: done, steps, seconds: (performance.now() - started) / 1000, from, device: text });
      if (done % SAMPLE_EVERY === 0 && done < steps && !me.stop) await onRunDevice(() => show(true));
      // Read the messages (a stop) between steps.
      await new Promise((r) => setTimeout(r, 0));
    }
    post({ type: 'imageProgress', step: done, steps, seconds: (performance.now() - started) / 1000, from, phase: 'the samples and the export (standing batch-norm statistics)', device: text });
    await onRunDevice(() => show(false));
    trained = await onRunDevice(async () => {
      await t.hostReady(false);
      return exportFiles(t, `playground:${preset}`);
    });
    post({ type: 'imageDone', steps: done, stopped: me.stop, exported: trained, device: text });
  } catch (e) {
    post({ type: 'imageDone', steps: done, stopped: me.stop, error: (e as Error).message, exported: null, device: text });
  } finally {
    trainer?.dispose();
    if (run === me) run = null;
  }
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

/** One row per class (conditional), a row per categorical value, continuous traversals, or a grid; then interpolations. */
function views(seed: number): ImageGrid[] {
  if (!viewer) return [];
  const { meta, model } = viewer;
  const rng = new Rng(seed);
  const cols = 10;
  const noise = Array.from({ length: cols }, () => Float32Array.from(rng.normalArray(meta.input.noise.size, 0, 1)));
  const zeros = new Array(meta.input.continuousCodes.count).fill(0);
  const cats0 = meta.input.categoricalCodes.map(() => 0);
  const out: ImageGrid[] = [];
  const show = (rows: Float32Array[], r: number, title: string, rowLabels?: string[]) => {
    const flat = new Float32Array(rows.length * meta.input.size);
    rows.forEach((row, i) => flat.set(row, i * meta.input.size));
    const y = tf.tidy(() => model.predict(tf.tensor2d(flat, [rows.length, meta.input.size])) as tf.Tensor);
    out.push({ title, pixels: y.dataSync() as Float32Array, shape: y.shape as [number, number, number, number], rows: r, cols, rowLabels });
    y.dispose();
  };
  if (meta.input.classes) {
    const rows = Array.from({ length: meta.input.classes }, (_, k) => noise.map((z) => inputRow(meta, z, cats0, zeros, k))).flat();
    const names = classNamesOf(meta.data) ?? Array.from({ length: meta.input.classes }, (_, k) => `class ${k}`);
    show(rows, meta.input.classes, 'one row per class (the same noise down each column)', names.slice(0, meta.input.classes));
  }
  meta.input.categoricalCodes.forEach((k, j) => {
    const rows = Array.from({ length: k }, (_, v) => noise.map((z) => inputRow(meta, z, cats0.map((c, i) => (i === j ? v : c)), zeros, 0))).flat();
    show(rows, k, `categorical code ${j}: one row per value`, Array.from({ length: k }, (_, v) => `c=${v}`));
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

function headline(): string {
  if (!viewer) return '';
  const m = viewer.meta;
  return `${viewer.name}: ${m.variant ?? m.loss} on ${m.data}, ${m.arch}, step ${m.step}, ${m.weights} weights; input ${m.input.size} (${m.input.order}); output [${m.output.shape.join(', ')}]`;
}

function setViewer(model: tf.LayersModel, meta: ExportMeta, name: string): Reply {
  viewer?.model.dispose();
  viewer = { model, meta, name };
  return { type: 'model', meta, name };
}

/** The image requests of the protocol. */
export async function imageRequest(req: Request, post: (m: Post) => void, exclusive: <T>(f: () => Promise<T> | T) => Promise<T>): Promise<Reply> {
  switch (req.type) {
    case 'loadModel': {
      let meta: ExportMeta;
      let model: tf.LayersModel;
      if (req.url) {
        meta = (await (await fetch(`${req.url}${EXPORT_FILES.meta}`)).json()) as ExportMeta;
        model = await tf.loadLayersModel(`${req.url}${EXPORT_FILES.model}`);
      } else {
        const files = req.files ?? [];
        const json = files.find((f) => f.name === EXPORT_FILES.model);
        const bins = files.filter((f) => f.name.endsWith('.bin'));
        const metaFile = files.find((f) => f.name === EXPORT_FILES.meta);
        if (!json || !bins.length || !metaFile) throw new Error(`choose ${Object.values(EXPORT_FILES).join(', ')} from one export folder`);
        meta = JSON.parse(await metaFile.text()) as ExportMeta;
        model = await tf.loadLayersModel(tf.io.browserFiles([json, ...bins]));
      }
      const reply = await exclusive(() => setViewer(model, meta, req.name));
      post({ type: 'modelViews', grids: await exclusive(() => views(1)), head: headline() });
      return reply;
    }
    case 'viewModel':
      post({ type: 'modelViews', grids: await exclusive(() => views(req.seed)), head: headline() });
      return { type: 'ok' };
    case 'viewTrained': {
      if (!trained) throw new Error('nothing trained here yet');
      const t = trained;
      const json = JSON.parse(t.modelJson) as { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
      const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: t.weights.slice(0) }));
      const reply = await exclusive(() => setViewer(model, JSON.parse(t.meta) as ExportMeta, 'trained here'));
      post({ type: 'modelViews', grids: await exclusive(() => views(1)), head: headline() });
      return reply;
    }
    case 'trainImages':
      if (run) throw new Error('an image run is already training');
      void trainImages(req.preset, req.steps, req.device ?? 'page', req.batch, post, exclusive);
      return { type: 'ok' };
    case 'stopImages':
      if (run) run.stop = true;
      return { type: 'ok' };
    default:
      throw new Error(`unknown request ${(req as { type: string }).type}`);
  }
}
