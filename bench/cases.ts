/**
 * The bench cases (bench/speed.ts, bench/count.ts): one trainer per case, the same models and
 * steps as bench/torch_ref.py.
 *   mlp2d     2-D MLP GAN (3×64 ReLU), batch 256, non-saturating loss, ring8
 *   lucic_ns  the InfoGAN/Lucic 28×28 G and D, batch 64, non-saturating loss, Fashion-MNIST
 *   lucic_gp  the same with WGAN-GP (critic without batch norm, λ 10: double backprop)
 *   dcgan28   the standard DCGAN 28×28 (--arch dcgan28), batch 64, non-saturating loss
 */
import { resolveConfig } from '../src/train/config.js';
import type { Trainer } from '../src/train/trainer.js';
import { pointsTrainer } from '../src/kinds/points/trainer.js';
import { ImageTask } from '../src/kinds/images/task.js';

export const CASES = ['mlp2d', 'lucic_ns', 'lucic_gp', 'dcgan28'] as const;

/** The 2-D steps are ~1000× cheaper: MLP_SCALE times as many are timed (bench/torch_ref.py too). */
export const MLP_SCALE = 50;

export async function trainerFor(name: string): Promise<{ trainer: Trainer; dispose: () => void }> {
  if (name === 'mlp2d') {
    const { trainer } = pointsTrainer(resolveConfig({ loss: 'ns', data: { name: 'ring8' }, batchSize: 256, nCritic: 1, optimizerD: { name: 'adam', lr: 2e-4 }, optimizerG: { name: 'adam', lr: 2e-4 } }));
    return { trainer, dispose: () => trainer.dispose() };
  }
  if (!(CASES as readonly string[]).includes(name)) throw new Error(`unknown bench case '${name}' (${CASES.join(', ')})`);
  const loss = name === 'lucic_gp' ? 'wgan-gp' : 'ns';
  const arch = name === 'dcgan28' ? 'dcgan28' : 'lucic28';
  const task = await ImageTask.create(resolveConfig({ loss, data: { name: 'fashion-mnist' }, model: { arch }, batchSize: 64, nCritic: 1 }), { evaluate: false });
  return { trainer: task.trainer, dispose: () => task.dispose() };
}

/** One kernel of a tf.profile, as bench/count.ts and bench/speed.ts read it. */
export interface ProfiledKernel {
  name: string;
  inputShapes: Array<number[] | null>;
  outputShapes: number[][];
  kernelTimeMs?: number | { error: string };
}

const size = (s: number[] | null | undefined) => (s ? s.reduce((a, b) => a * b, 1) : 0);

/**
 * Multiply-accumulates of one product or convolution kernel, from its shapes (0 for anything
 * else): m·n·k per matrix of a product; |output|·KH·KW·Cin for a convolution, |dy|·KH·KW·Cin for
 * its two gradients (the same products run backwards).
 */
export function macsOf(k: ProfiledKernel): number {
  const [a, b] = k.inputShapes;
  const out = k.outputShapes[0];
  switch (k.name) {
    case 'BatchMatMul':
    case '_FusedMatMul':
    case 'GankitDense': {
      if (!a || !out || out.length < 2) return 0;
      const m = out[out.length - 2];
      const n = out[out.length - 1];
      const kk = (a[a.length - 1] * a[a.length - 2]) / m;
      return (size(out) / (m * n)) * m * n * kk;
    }
    case 'Conv2D':
    case 'FusedConv2D':
      // x, filter [KH, KW, Cin, Cout] → out
      return b ? (size(out) * size(b)) / b[3] : 0;
    case 'Conv2DBackpropInput':
      // dy, filter [KH, KW, Cin, Cout] → dx
      return a && b ? (size(a) * size(b)) / b[3] : 0;
    case 'Conv2DBackpropFilter':
      // x, dy → filter [KH, KW, Cin, Cout]
      return b && out ? (size(b) * size(out)) / out[3] : 0;
    default:
      return 0;
  }
}

/** Scopes (customGrad's forward, named tidy scopes) are not kernels: their time includes the kernels they ran. */
export const isScope = (name: string) => name === 'unnamed scope' || !/^[A-Z_]/.test(name);
