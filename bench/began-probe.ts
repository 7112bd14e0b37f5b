/**
 * Why a BEGAN image run is where it is: opens a run's last checkpoint and measures, on `--n` test
 * images and `--n` samples of the raw (non-EMA) generator the training step sees,
 *   - the autoencoder's L1 reconstruction error L(x) on real images, split into the background
 *     (pixels at the data's minimum) and the rest, and where the minimum reconstruction lies;
 *   - L(G(z)) and the ratio L(G(z)) / L(x) that BEGAN's k controller drives towards γ;
 *   - the samples' pixel range and mean against the data's mean, and their diversity: the per-pixel
 *     standard deviation over samples, averaged over pixels (the same for real images beside it).
 * Nothing is written. Used for issue 27's BEGAN rows (γ 0.75 on began28 collapsing to one grey
 * image while k stays at its floor).
 *
 *   node dist/bench/began-probe.js --run DIR [--n 256]
 */
import { parseArgs } from 'node:util';
import { initEngine, tf } from '../src/engine/index.js';
import { loadImageData } from '../src/data/imageData.js';
import { InputError } from '../src/errors.js';
import { openRun, readRunConfig } from '../src/runner/run.js';
import { Rng } from '../src/engine/rng.js';
import { ConvAutoencoder } from '../src/models/conv.js';
import { toSigned } from '../src/metrics/featnet.js';

/** Mean over pixels of the standard deviation over samples: 0 when every sample is the same image. */
function pixelSpread(values: Float32Array, n: number, size: number): number {
  let total = 0;
  for (let p = 0; p < size; p++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += values[i * size + p];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (values[i * size + p] - m) ** 2;
    total += Math.sqrt(v / n);
  }
  return total / size;
}

const mean = (xs: Float32Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
const lowest = (xs: Float32Array) => xs.reduce((a, b) => Math.min(a, b), Infinity);
const highest = (xs: Float32Array) => xs.reduce((a, b) => Math.max(a, b), -Infinity);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { run: { type: 'string' }, n: { type: 'string', default: '256' } } });
  if (!values.run) throw new InputError('began-probe: --run DIR is required (a BEGAN image run folder)');
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 2 || n > 4096) throw new InputError(`began-probe: --n must be an integer in [2, 4096], got '${values.n}'`);
  const config = readRunConfig(values.run);
  if (config.loss !== 'began') throw new InputError(`began-probe: ${values.run} is a '${config.loss}' run, not BEGAN`);
  await initEngine({ backend: 'wasm', workload: 'images', cores: 1 });
  const { trainer, header } = await openRun(values.run, config, { evaluate: false });
  const AE = trainer.D;
  if (!(AE instanceof ConvAutoencoder)) throw new InputError(`began-probe: ${values.run}'s discriminator is not an image autoencoder`);
  const data = await loadImageData(config.data.name, { split: 'test' });
  const size = data.height * data.width * data.channels;
  const count = Math.min(n, data.count);
  const order = new Rng(7).permutation(data.count).subarray(0, count);
  const picked = new Uint8Array(count * size);
  order.forEach((j, i) => picked.set(data.pixels.subarray(j * size, (j + 1) * size), i * size));
  const real = toSigned(picked);
  trainer.useEma = false; // the generator the D and G steps see
  const fake = trainer.sample(count, new Rng(11));
  const shape: [number, number, number, number] = [count, data.height, data.width, data.channels];
  const errors = (x: Float32Array) =>
    tf.tidy(() => {
      const t = tf.tensor4d(x, shape);
      const r = AE.reconstruct(t);
      return { error: tf.abs(tf.sub(t, r)).dataSync() as Float32Array, recon: r.dataSync() as Float32Array };
    });
  const r = errors(real);
  const f = errors(fake);
  const floor = lowest(real);
  let bg = 0;
  let nb = 0;
  let minBg = Infinity;
  for (let i = 0; i < real.length; i++) {
    if (real[i] <= floor + 1e-3) {
      bg += r.error[i];
      nb++;
      minBg = Math.min(minBg, r.recon[i]);
    }
  }
  const Lx = mean(r.error);
  const Lg = mean(f.error);
  const fg = (Lx * real.length - bg) / (real.length - nb);
  const out = {
    run: values.run,
    step: header?.step ?? 0,
    gamma: config.hyper.gamma,
    k: trainer.state.k,
    n: count,
    real: { L: Lx, background: { pixels: nb / real.length, meanError: bg / nb, shareOfL: bg / (Lx * real.length), lowestReconstruction: minBg }, foregroundMeanError: fg, meanPixel: mean(real), pixelSpread: pixelSpread(real, count, size) },
    fake: { L: Lg, ratio: Lg / Lx, min: lowest(fake), max: highest(fake), meanPixel: mean(fake), pixelSpread: pixelSpread(fake, count, size) },
  };
  console.log(JSON.stringify(out, (_, v) => (typeof v === 'number' ? Number(v.toPrecision(4)) : v), 2));
}

main().catch((e) => {
  console.error(e instanceof InputError ? `gankit: error: ${e.message}` : e instanceof Error ? e.stack : String(e));
  process.exit(e instanceof InputError ? 2 : 1);
});
