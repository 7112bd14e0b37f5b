/**
 * The WebGPU parity suite's cases, browser-safe: run by the Node worker (./gpuParity.ts, every
 * group) and by the page (./gpuParityPage.ts, ops and 2-D objectives) for
 * test/webgpu.parity.test.ts.
 *
 * Every case runs twice from the same inputs: on the CPU engine (tfjs-cpu with gankit's kernels
 * and gradients, the reference) and on webgpu (the device, src/engine/device.ts). A comparison is
 * one output tensor: rel = ‖gpu − cpu‖∞ / ‖cpu‖∞ (normwise over that tensor; 0/0 = 0), and
 * whether every value is finite.
 *
 * Groups:
 * - op: every op the models use, alone, on small random inputs: the value f(x), the first-order
 *   gradient ∂⟨f(x), c⟩/∂x for a random cotangent c, and the second-order ∂‖that gradient‖²/∂x —
 *   what a gradient penalty differentiates. Where gankit replaces a tfjs-webgpu kernel that is
 *   wrong, the stock kernel's value too (expected off).
 * - objective: the trainer's D and G objectives (src/train/trainer.ts discriminatorObjective /
 *   generatorObjective: every loss, penalty and auxiliary term, through the real networks):
 *   the value, the logged terms and every variable's gradient.
 * - train: 5 steps: each step's losses and gradient norms, and every weight at the end, with the
 *   same comparison between tfjs-wasm and tfjs-cpu as a control.
 * - coverage: the kernels the objective and train groups dispatched on webgpu that no op case did.
 */
import { tf, Rng, onDevice, deviceBackend, webGpuAdapter, dense, fusedConv2d, deconv2d, logSoftmax, softmaxCrossEntropy, perSampleNorm } from '../../src/engine/index.js';
import type { DenseActivation, ConvActivation } from '../../src/engine/index.js';
import { runStockWebGpuKernel } from '../../src/engine/kernels/webgpuKernels.js';
import { fusedAdam } from '../../src/engine/kernels/adam.js';
import { sumAll } from '../../src/engine/kernels/sums.js';
import type { Trainer } from '../../src/train/trainer.js';

/** Where the comparisons go (the Node worker prints them, the page collects them). */
let emit: (line: Record<string, unknown>) => void = () => {};

/** Builds a trainer for a config on the active backend (Node: any kind of data; a page: 2-D points). */
export type MakeTrainer = (overrides: Record<string, unknown>) => Promise<{ trainer: Trainer; dispose: () => void }>;
let makeTrainer: MakeTrainer;

/**
 * rel = ‖a − b‖∞ / max(‖b‖∞, floor), with b the reference. The floor (objective gradients:
 * OBJECTIVE_FLOOR of the network's largest gradient) keeps a gradient that is zero in exact
 * arithmetic — a relativistic D's output bias (its loss ignores a shift of every score), a conv
 * bias before batch norm — from comparing rounding noise with rounding noise.
 */
function compare(gpu: Float32Array, cpu: Float32Array, floor = 0): { rel: number; maxAbs: number; finite: boolean; at: number } {
  let diff = 0;
  let scale = 0;
  let finite = gpu.length === cpu.length;
  let at = -1;
  for (let i = 0; i < cpu.length; i++) {
    if (!Number.isFinite(gpu[i]) || !Number.isFinite(cpu[i])) finite = false;
    const d = Math.abs(gpu[i] - cpu[i]);
    if (d > diff) [diff, at] = [d, i];
    scale = Math.max(scale, Math.abs(cpu[i]));
  }
  return { rel: diff === 0 ? 0 : diff / Math.max(scale, floor), maxAbs: scale, finite, at };
}

/** Kernels dispatched on webgpu, by group (for the coverage line). */
const dispatched: Record<string, Set<string>> = { op: new Set(), objective: new Set(), train: new Set() };
let recording: Set<string> | null = null;

/** Objective gradients are compared to 1e-4 of max(their own ‖·‖∞, 1 % of the network's largest). */
const OBJECTIVE_FLOOR = 1e-2;
const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
const stockRunKernel = engine.runKernel.bind(engine);
engine.runKernel = (name: string, ...rest: unknown[]) => {
  if (recording && tf.getBackend() === 'webgpu') recording.add(name);
  return stockRunKernel(name, ...rest);
};

/** Builds tensors on the CPU engine or on the device and reads them (asynchronously). */
async function evaluate(where: 'cpu' | 'gpu', build: () => tf.Tensor[], group = 'op'): Promise<Float32Array[]> {
  recording = where === 'gpu' ? dispatched[group] : null;
  const outs = where === 'gpu' ? onDevice(() => tf.tidy(build)) : tf.tidy(build);
  recording = null;
  try {
    return await Promise.all(outs.map(async (t) => Float32Array.from((await t.data()) as Float32Array)));
  } finally {
    tf.dispose(outs);
  }
}

async function both(group: string, name: string, parts: string[], build: () => tf.Tensor[]): Promise<void> {
  const t0 = performance.now();
  const cpu = await evaluate('cpu', build, group);
  const t1 = performance.now();
  let gpu: Float32Array[];
  try {
    gpu = await evaluate('gpu', build, group);
  } catch (e) {
    emit({ group, case: name, part: 'all', error: (e as Error).message.split('\n')[0] });
    return;
  }
  const t2 = performance.now();
  parts.forEach((part, i) => emit({ group, case: name, part, ...compare(gpu[i], cpu[i]), size: cpu[i].length, cpuMs: Math.round(t1 - t0), gpuMs: Math.round(t2 - t1) }));
}

// ---------------------------------------------------------------- op group

interface Input {
  shape: number[];
  /** normal (default), positive: |N| + 0.5, unit: U(0.05, 0.95), small: N·1e-4, softplusTail: U(−13, −5). */
  kind?: 'normal' | 'positive' | 'unit' | 'small' | 'softplusTail';
  /** Not differentiated (labels, masks). */
  constant?: boolean;
}

interface OpCase {
  name: string;
  inputs: Input[];
  f: (...x: tf.Tensor[]) => tf.Tensor;
  /** Skip the second-order part (ops no model differentiates twice). */
  firstOrderOnly?: boolean;
  /** The value only (kernels outside the tape: the optimiser's update, the norms). */
  valueOnly?: boolean;
  /**
   * A tfjs-webgpu kernel gankit replaces because it is wrong here: its value is also computed with
   * tfjs-webgpu's own kernel (`stock`: the kernel's name, and how f calls it), expected off.
   */
  stock?: { kernel: string; run: (...x: tf.Tensor[]) => tf.Tensor };
}

let seed = 1;
function values(input: Input): Float32Array {
  const rng = new Rng(seed++);
  const n = input.shape.reduce((a, b) => a * b, 1);
  if (input.kind === 'positive') return Float32Array.from(rng.normalArray(n), (v) => Math.abs(v) + 0.5);
  if (input.kind === 'unit') return rng.uniformArray(n, 0.05, 0.95);
  if (input.kind === 'small') return Float32Array.from(rng.normalArray(n), (v) => v * 1e-4);
  if (input.kind === 'softplusTail') return rng.uniformArray(n, -13, -5);
  return rng.normalArray(n);
}

async function opCase(c: OpCase): Promise<void> {
  const data = c.inputs.map(values);
  const outShape = tf.tidy(() => c.f(...c.inputs.map((inp, i) => tf.tensor(data[i], inp.shape))).shape);
  const cot = values({ shape: outShape });
  const wrt = c.valueOnly ? [] : c.inputs.map((inp, i) => (inp.constant ? -1 : i)).filter((i) => i >= 0);
  const build = () => {
    const xs = c.inputs.map((inp, i) => tf.tensor(data[i], inp.shape));
    const cotangent = tf.tensor(cot, outShape);
    const y = c.f(...xs);
    // ⟨f(x), c⟩ as a function of the differentiated inputs.
    const inner = (...vs: tf.Tensor[]) => {
      const args = xs.slice();
      wrt.forEach((k, j) => (args[k] = vs[j]));
      return tf.sum(tf.mul(c.f(...args), cotangent));
    };
    if (c.valueOnly) return [y];
    const first = tf.grads(inner)(wrt.map((k) => xs[k]));
    const out = [y, ...first];
    if (!c.firstOrderOnly) {
      // (+ 0·Σv: a gradient that does not depend on v, a linear op's, has second derivative 0 there.)
      const squares = (...vs: tf.Tensor[]) => tf.addN([...tf.grads(inner)(vs).map((g) => tf.sum(tf.square(g))), ...vs.map((v) => tf.mul(0, tf.sum(v)))]);
      const second = tf.grads(squares)(wrt.map((k) => xs[k]));
      out.push(...second);
    }
    return out;
  };
  const parts = ['value', ...wrt.map((k) => `d/dx${k}`), ...(c.firstOrderOnly || c.valueOnly ? [] : wrt.map((k) => `d2/dx${k}`))];
  await both('op', c.name, parts, build);
  if (c.stock) {
    const xs = () => c.inputs.map((inp, i) => tf.tensor(data[i], inp.shape));
    const [reference] = await evaluate('cpu', () => [c.f(...xs())]);
    const [stock] = await evaluate('gpu', () => [c.stock!.run(...xs())]);
    emit({ group: 'op', case: c.name, part: `value by tfjs-webgpu's own ${c.stock.kernel}`, ...compare(stock, reference), size: stock.length, stockBug: true });
  }
}

const nhwc = (n: number, h: number, w: number, c: number) => [n, h, w, c];

const denseCase = (activation: DenseActivation): OpCase => ({
  name: `dense ${activation}`,
  inputs: [{ shape: [6, 5] }, { shape: [5, 4] }, { shape: [4] }],
  f: (x, w, b) => dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, activation, 0.2),
});

const fusedConvCase = (activation: ConvActivation, stride: number): OpCase => ({
  name: `fusedConv2d ${activation} 4x4/${stride} same`,
  inputs: [{ shape: nhwc(2, 8, 8, 3) }, { shape: [4, 4, 3, 4] }, { shape: [4] }],
  f: (x, w, b) => fusedConv2d(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, stride, 'same', activation, 0.2),
});

const convCase = (k: number, stride: number, pad: 'same' | 'valid', size = 8, cin = 3, cout = 4): OpCase => ({
  name: `conv2d ${k}x${k}/${stride} ${pad} ${size}x${size}x${cin}→${cout}`,
  inputs: [{ shape: nhwc(2, size, size, cin) }, { shape: [k, k, cin, cout] }],
  f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad),
});

const deconvCase = (k: number, stride: number, inSize: number, cin: number, cout: number, outSize = inSize * stride): OpCase => ({
  name: `deconv2d ${k}x${k}/${stride} same ${inSize}x${inSize}x${cin}→${outSize}x${outSize}x${cout}`,
  inputs: [{ shape: nhwc(2, inSize, inSize, cin) }, { shape: [k, k, cout, cin] }],
  f: (x, w) => deconv2d(x as tf.Tensor4D, w as tf.Tensor4D, [2, outSize, outSize, cout], stride, 'same'),
});

const unary = (name: string, f: (x: tf.Tensor) => tf.Tensor, kind: Input['kind'] = 'normal'): OpCase => ({ name, inputs: [{ shape: [4, 6], kind }], f });
const binary = (name: string, f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, b: number[] = [4, 6], kind: Input['kind'] = 'normal'): OpCase => ({ name, inputs: [{ shape: [4, 6] }, { shape: b, kind }], f });

export const OP_CASES: OpCase[] = [
  // products
  { name: 'matMul', inputs: [{ shape: [5, 7] }, { shape: [7, 3] }], f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D) },
  { name: 'matMul transposeA', inputs: [{ shape: [7, 5] }, { shape: [7, 3] }], f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, false) },
  { name: 'matMul transposeB', inputs: [{ shape: [5, 7] }, { shape: [3, 7] }], f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true) },
  { name: 'matMul K=300 (reduce route)', inputs: [{ shape: [2, 300] }, { shape: [300, 3] }], f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D) },
  { name: 'matMul packed route transposeB 2×300·(400×300)ᵀ (lucic28 FC)', inputs: [{ shape: [2, 300] }, { shape: [400, 300] }], f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true) },
  // tfjs-webgpu's split-K route (batch 1, few output tiles, K ≥ 2000) with B transposed: InfoGAN's Q head (kernels/webgpuKernels.ts).
  {
    name: 'matMul split-K route transposeB 2×2048·(132×2048)ᵀ (InfoGAN Q head)',
    inputs: [{ shape: [2, 2048] }, { shape: [132, 2048] }],
    f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true),
    firstOrderOnly: true,
    stock: { kernel: 'BatchMatMul', run: (a, b) => runStockWebGpuKernel('BatchMatMul', { a: tf.reshape(a, [1, 2, 2048]), b: tf.reshape(b, [1, 132, 2048]) }, { transposeA: false, transposeB: true }) },
  },
  denseCase('linear'),
  denseCase('relu'),
  denseCase('leakyrelu'),
  // convolutions (dcgan28 / lucic28: 4×4 stride 2 'same'; BEGAN's autoencoder: 3×3 stride 1 and 2)
  convCase(4, 2, 'same'),
  convCase(4, 2, 'same', 7, 2, 3),
  convCase(3, 1, 'same'),
  convCase(3, 2, 'same'),
  convCase(3, 2, 'valid', 9),
  convCase(5, 2, 'same', 8, 1, 3),
  fusedConvCase('linear', 2),
  fusedConvCase('leakyrelu', 2),
  fusedConvCase('relu', 1),
  deconvCase(4, 2, 4, 3, 2),
  deconvCase(4, 2, 7, 3, 1),
  deconvCase(5, 2, 4, 2, 3),
  deconvCase(3, 1, 5, 2, 3, 5),
  // activations
  unary('relu', tf.relu),
  unary('leakyRelu', (x) => tf.leakyRelu(x, 0.2)),
  unary('tanh', tf.tanh),
  unary('sigmoid', tf.sigmoid),
  unary('elu', tf.elu),
  unary('softplus', tf.softplus),
  // Near 0 tfjs-webgpu's own tanh and elu cancel (kernels/webgpuUnary.ts); softplus's tail, see there.
  { ...unary('tanh near 0', tf.tanh, 'small'), stock: { kernel: 'Tanh', run: (x) => runStockWebGpuKernel('Tanh', { x }) } },
  { ...unary('elu near 0', tf.elu, 'small'), stock: { kernel: 'Elu', run: (x) => runStockWebGpuKernel('Elu', { x }) } },
  unary('softplus on [−13, −5]', tf.softplus, 'softplusTail'),
  unary('exp', tf.exp),
  unary('log', tf.log, 'positive'),
  unary('sqrt', tf.sqrt, 'positive'),
  unary('rsqrt', tf.rsqrt, 'positive'),
  unary('square', tf.square),
  unary('abs', tf.abs),
  unary('neg', tf.neg),
  unary('clipByValue ±0.5', (x) => tf.clipByValue(x, -0.5, 0.5)),
  // arithmetic, with broadcasting as the layers use it
  binary('add', tf.add),
  binary('add bias [6]', tf.add, [6]),
  binary('sub', tf.sub),
  binary('sub row [4,1]', tf.sub, [4, 1]),
  binary('mul', tf.mul),
  binary('mul gain [6]', tf.mul, [6]),
  binary('div', tf.div, [4, 6], 'positive'),
  binary('maximum', tf.maximum),
  binary('minimum', tf.minimum),
  { name: 'mul scalar', inputs: [{ shape: [4, 6] }], f: (x) => tf.mul(x, 0.3) },
  // gankit's fused kernels (kernels/webgpuFused.ts; on tfjs-cpu its JavaScript ones)
  {
    name: 'fused Adam update θ′, m′, v′ (GankitAdam)',
    inputs: [{ shape: [5, 7] }, { shape: [5, 7] }, { shape: [5, 7], kind: 'positive' }, { shape: [5, 7] }],
    f: (theta, m, v, g) => tf.stack(fusedAdam(theta, m, tf.mul(v, 1e-3), g, { beta1: 0.5, beta2: 0.999, stepSize: 2e-4 / (1 - 0.5 ** 3), biasCorrection2: Math.sqrt(1 - 0.999 ** 3), epsilon: 1e-8 })),
    valueOnly: true,
  },
  { name: 'Σ of squares over 9 tensors (GankitSumAll)', inputs: [[3, 5], [7], [2, 2, 2, 2], [40], [1], [6, 6], [3], [300], [2, 9]].map((shape) => ({ shape })), f: (...xs) => sumAll(xs, true), valueOnly: true },
  { name: 'Σ over 2 tensors (GankitSumAll)', inputs: [{ shape: [3, 5] }, { shape: [70] }], f: (...xs) => sumAll(xs), valueOnly: true },
  { name: 'addN of 9 (more than a shader binds)', inputs: Array.from({ length: 9 }, () => ({ shape: [3, 5] })), f: (...xs) => tf.addN(xs) },
  // reductions and normalisations
  { name: 'sum all', inputs: [{ shape: [4, 6] }], f: (x) => tf.sum(x) },
  { name: 'sum axis 0', inputs: [{ shape: [4, 6] }], f: (x) => tf.sum(x, 0) },
  // Over leading axes (kernels/webgpuReduce.ts): a thread per column when rows ≤ columns, else tfjs-webgpu's tree.
  { name: 'sum axes N,H,W (rows 50 > columns 3: tfjs-webgpu’s reduce)', inputs: [{ shape: nhwc(2, 5, 5, 3) }], f: (x) => tf.sum(x, [0, 1, 2]) },
  { name: 'sum axis 0 (rows 2 ≤ columns 300: a thread per column)', inputs: [{ shape: [2, 300] }], f: (x) => tf.sum(x, 0) },
  { name: 'mean axes N,H,W keepDims (rows 8 ≤ columns 16: a thread per column)', inputs: [{ shape: nhwc(2, 2, 2, 16) }], f: (x) => tf.mean(x, [0, 1, 2], true) },
  { name: 'mean all', inputs: [{ shape: [4, 6] }], f: (x) => tf.mean(x) },
  { name: 'mean axis 1 keepDims', inputs: [{ shape: [4, 6] }], f: (x) => tf.mean(x, 1, true) },
  { name: 'moments (batch norm) N,H,W', inputs: [{ shape: nhwc(3, 4, 4, 5) }], f: (x) => { const m = tf.moments(x, [0, 1, 2], true); return tf.concat([tf.reshape(m.mean, [-1]), tf.reshape(m.variance, [-1])]); } },
  { name: 'batch norm (train mode)', inputs: [{ shape: nhwc(3, 4, 4, 5) }, { shape: [5] }, { shape: [5] }], f: (x, g, b) => { const m = tf.moments(x, [0, 1, 2], true); return tf.add(tf.mul(tf.mul(tf.sub(x, m.mean), tf.rsqrt(tf.add(m.variance, 1e-5))), g), b); } },
  { name: 'layer norm', inputs: [{ shape: [4, 6] }, { shape: [6] }, { shape: [6] }], f: (x, g, b) => { const m = tf.moments(x, 1, true); return tf.add(tf.mul(tf.mul(tf.sub(x, m.mean), tf.rsqrt(tf.add(m.variance, 1e-5))), g), b); } },
  // Image D's other pieces (models/conv.ts): layer norm over a sample's H, W, C; the projection
  // discriminator's Σ (onehot(y)·E) ⊙ φ; a concat-conditioned D's label planes; a spectrally
  // normalised filter W / (vᵀ M u).
  { name: 'layer norm over H,W,C', inputs: [{ shape: nhwc(2, 3, 3, 4) }, { shape: [4] }, { shape: [4] }], f: (x, g, b) => { const m = tf.moments(x, [1, 2, 3], true); return tf.add(tf.mul(tf.mul(tf.sub(x, m.mean), tf.rsqrt(tf.add(m.variance, 1e-5))), g), b); } },
  { name: 'projection Σ (onehot·E) ⊙ φ', inputs: [{ shape: [3, 4], kind: 'unit', constant: true }, { shape: [4, 6] }, { shape: [3, 6] }], f: (y, e, phi) => tf.sum(tf.mul(tf.matMul(y as tf.Tensor2D, e as tf.Tensor2D), phi), 1) },
  { name: 'label planes onehot·basis, concat', inputs: [{ shape: [2, 3], kind: 'unit', constant: true }, { shape: nhwc(2, 2, 2, 1) }], f: (y, x) => tf.concat([x, tf.reshape(tf.matMul(y as tf.Tensor2D, tf.tile(tf.eye(3), [1, 4]) as tf.Tensor2D), [2, 2, 2, 3])], 3) },
  {
    name: 'spectral-normalised filter W / (vᵀ M u)',
    inputs: [{ shape: [3, 3, 2, 4] }, { shape: [4, 1], constant: true }, { shape: [18, 1], constant: true }],
    f: (w, u, v) => tf.div(w, tf.reshape(tf.matMul(tf.matMul(v as tf.Tensor2D, tf.reshape(w, [18, 4]) as tf.Tensor2D, true, false), u as tf.Tensor2D), [])),
  },
  { name: 'logSumExp', inputs: [{ shape: [4, 6] }], f: (x) => tf.logSumExp(x, -1, true) },
  { name: 'logSoftmax', inputs: [{ shape: [4, 6] }], f: (x) => logSoftmax(x) },
  { name: 'softmax', inputs: [{ shape: [4, 6] }], f: (x) => tf.softmax(x) },
  { name: 'softmaxCrossEntropy', inputs: [{ shape: [4, 6], kind: 'unit', constant: true }, { shape: [4, 6] }], f: (y, x) => softmaxCrossEntropy(y, x) },
  { name: '(perSampleNorm − 1)² (the penalties)', inputs: [{ shape: nhwc(3, 3, 3, 2) }], f: (x) => tf.square(tf.sub(perSampleNorm(x, 1e-12), 1)) },
  { name: 'normalise x / max(‖x‖, ε) (spectral norm)', inputs: [{ shape: [6, 1] }], f: (x) => tf.div(x, tf.maximum(tf.norm(x), 1e-12)) },
  // layout
  { name: 'reshape', inputs: [{ shape: nhwc(2, 3, 3, 2) }], f: (x) => tf.reshape(x, [2, 18]) },
  { name: 'transpose', inputs: [{ shape: [4, 6] }], f: (x) => tf.transpose(x) },
  { name: 'concat axis 0', inputs: [{ shape: [2, 6] }, { shape: [3, 6] }], f: (a, b) => tf.concat([a, b], 0) },
  { name: 'concat axis 3 (labels on maps)', inputs: [{ shape: nhwc(2, 3, 3, 2) }, { shape: nhwc(2, 3, 3, 3) }], f: (a, b) => tf.concat([a, b], 3) },
  { name: 'slice rows', inputs: [{ shape: [5, 6] }], f: (x) => tf.slice(x, [1, 0], [3, 6]) },
  { name: 'pad', inputs: [{ shape: nhwc(2, 3, 3, 2) }], f: (x) => tf.pad(x, [[0, 0], [1, 2], [0, 1], [0, 0]]) },
  { name: 'tile', inputs: [{ shape: [2, 1, 1, 3] }], f: (x) => tf.tile(x, [1, 3, 3, 1]) },
  { name: 'stack', inputs: [{ shape: [4] }, { shape: [4] }], f: (a, b) => tf.stack([a, b]) },
  { name: 'gather', inputs: [{ shape: [5, 3] }], f: (x) => tf.gather(x, [4, 0, 2], 0) },
  { name: 'resizeNearestNeighbor ×2', inputs: [{ shape: nhwc(2, 3, 3, 2) }], f: (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [6, 6]) },
  { name: 'where (mask from x)', inputs: [{ shape: [4, 6] }, { shape: [4, 6] }], f: (x, y) => tf.where(tf.greater(x, 0), y, tf.mul(y, 0.3)) },
  { name: 'oneHot then mul', inputs: [{ shape: [4, 5] }], f: (x) => tf.mul(x, tf.oneHot(tf.tensor1d([1, 4, 0, 2], 'int32'), 5)) },
];

// ---------------------------------------------------------------- objective and train groups

/** Two trainers of one config, built on the CPU engine from the same seed: one stays there, one trains on the device. */
async function twins(overrides: Record<string, unknown>): Promise<{ cpu: Trainer; gpu: Trainer; dispose: () => void }> {
  const a = await makeTrainer(overrides);
  const b = await makeTrainer(overrides);
  return { cpu: a.trainer, gpu: b.trainer, dispose: () => (a.dispose(), b.dispose()) };
}

const single = (overrides: Record<string, unknown>) => makeTrainer(overrides);

const variableNames = (t: Trainer, net: 'G' | 'D') => t[net].variables.map((v, i) => `${net}[${i}] ${v.shape.join('×')}`);

async function objectiveCase(name: string, overrides: Record<string, unknown>): Promise<void> {
  const { cpu, gpu, dispose } = await twins(overrides);
  try {
    for (const net of ['D', 'G'] as const) {
      const names: string[] = [];
      const build = (t: Trainer) => () => {
        if (net === 'D') {
          const { value, logged, grads } = t.discriminatorObjective();
          // kept by the trainer for its reads: dispose here (copies go out).
          const terms = Object.entries(logged);
          names.length = 0;
          names.push('value', ...terms.map(([k]) => k), ...variableNames(t, 'D'));
          const out = [value, ...terms.map(([, v]) => v.clone()), ...grads.map((g, i) => g ?? tf.zerosLike(t.D.variables[i]))];
          tf.dispose(terms.map(([, v]) => v));
          return out;
        }
        const { value, grads } = t.generatorObjective();
        names.length = 0;
        names.push('value', ...variableNames(t, 'G'));
        return [value, ...grads.map((g, i) => g ?? tf.zerosLike(t.G.variables[i]))];
      };
      const t0 = performance.now();
      const c = await evaluate('cpu', build(cpu), 'objective');
      const t1 = performance.now();
      let g: Float32Array[];
      try {
        g = await evaluate('gpu', build(gpu), 'objective');
      } catch (e) {
        emit({ group: 'objective', case: `${name} ${net}`, part: 'all', error: (e as Error).message.split('\n')[0] });
        continue;
      }
      const t2 = performance.now();
      const gradients = names.map((n, i) => (n.startsWith(`${net}[`) ? i : -1)).filter((i) => i >= 0);
      const floor = OBJECTIVE_FLOOR * Math.max(...gradients.map((i) => c[i].reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
      names.forEach((part, i) =>
        emit({ group: 'objective', case: `${name} ${net}`, part, ...compare(g[i], c[i], gradients.includes(i) ? floor : 0), size: c[i].length, cpuMs: Math.round(t1 - t0), gpuMs: Math.round(t2 - t1) }),
      );
    }
  } finally {
    dispose();
  }
}

/**
 * Weights after the steps: 1e-3 relative, not 1e-4. Adam divides each gradient component by its
 * own running scale, so a component whose gradient is near 0 moves by up to ±lr on a difference
 * in the last bits; the two CPU backends (tfjs-cpu and tfjs-wasm) differ by 1.4e-4 on dcgan28's
 * deconv weight after 5 steps, and `control` on each line says by how much they differ there.
 */
const WEIGHT_BOUND = 1e-3;

/** Variables whose objective gradient is 0 in exact arithmetic (a bias a batch norm removes): below this share of the largest. */
const ZERO_GRADIENT = 1e-4;

async function trainCase(name: string, overrides: Record<string, unknown>, steps = 5): Promise<void> {
  const { cpu, gpu, dispose } = await twins(overrides);
  const controlTask = await single(overrides);
  const control = controlTask.trainer;
  try {
    // Which variables have a gradient that vanishes in exact arithmetic (on the CPU engine, on a copy).
    const zero = new Set<string>();
    for (const net of ['D', 'G'] as const) {
      const copy = await single(overrides);
      const grads = tf.tidy(() => {
        let gs: Array<tf.Tensor | undefined>;
        if (net === 'D') {
          const r = copy.trainer.discriminatorObjective();
          tf.dispose(Object.values(r.logged));
          gs = r.grads;
        } else gs = copy.trainer.generatorObjective().grads;
        return gs.map((g) => (g ? (tf.max(tf.abs(g)).dataSync()[0] as number) : 0));
      });
      const largest = Math.max(...grads);
      grads.forEach((g, i) => g < ZERO_GRADIENT * largest && zero.add(`${net}${i}`));
      copy.dispose();
    }
    const t0 = performance.now();
    const cpuStats = [];
    for (let i = 0; i < steps; i++) cpuStats.push(cpu.trainStep());
    const t1 = performance.now();
    const gpuStats = [];
    recording = dispatched.train;
    try {
      for (let i = 0; i < steps; i++) gpuStats.push(await gpu.trainStepAsync());
    } catch (e) {
      emit({ group: 'train', case: name, part: 'all', error: (e as Error).message.split('\n')[0] });
      return;
    } finally {
      recording = null;
    }
    const t2 = performance.now();
    // The control: the same steps on tfjs-wasm (no native kernels), the CPU engine's other backend.
    await tf.setBackend('wasm');
    const wasmStats = [];
    for (let i = 0; i < steps; i++) wasmStats.push(control.trainStep());
    await tf.setBackend('cpu');
    const ms = { cpuMs: Math.round((t1 - t0) / steps), gpuMs: Math.round((t2 - t1) / steps) };
    for (const key of ['dLoss', 'gLoss', 'penalty', 'gradNormD', 'gradNormG', 'realScore', 'fakeScore'] as const) {
      for (let i = 0; i < steps; i++) {
        const c = Float32Array.of(cpuStats[i][key]);
        emit({ group: 'train', case: name, part: `step ${i + 1} ${key}`, ...compare(Float32Array.of(gpuStats[i][key]), c), control: compare(Float32Array.of(wasmStats[i][key]), c).rel, size: 1, ...ms });
      }
    }
    await gpu.hostReady();
    for (const net of ['G', 'D'] as const) {
      const names = variableNames(cpu, net);
      cpu[net].variables.forEach((v, i) => {
        const c = v.dataSync() as Float32Array;
        const control = compare(control_(net, i), c).rel;
        const noise = zero.has(`${net}${i}`);
        emit({
          group: 'train',
          case: name,
          part: `weights ${names[i]}`,
          ...compare(gpu[net].variables[i].dataSync() as Float32Array, c),
          control,
          bound: noise ? null : WEIGHT_BOUND,
          ...(noise ? { why: 'gradient 0 in exact arithmetic (a bias before batch norm): Adam moves it by ±lr on rounding noise, on every engine; not compared' } : {}),
          size: v.size,
          ...ms,
        });
      });
    }
  } finally {
    dispose();
    controlTask.dispose();
  }

  function control_(net: 'G' | 'D', i: number): Float32Array {
    return control[net].variables[i].dataSync() as Float32Array;
  }
}

/** Small 2-D networks: the 2-D preset's shapes (depth 3 × width 64) at a batch SwiftShader runs quickly. */
const points = (o: Record<string, unknown> = {}) => ({ batchSize: 32, ...o });
const mlp = (activation: string, layerNorm = false) => ({ depth: 2, width: 16, activation, layerNorm });
/**
 * dcgan28 on MNIST at batch 2 (batch norm needs two), noise 16. The arch is named: InfoGAN on
 * MNIST would otherwise get its paper's lucic28, whose 6272-wide FC sums differ from tfjs-cpu's
 * by ~6e-4 relative on SwiftShader (summation order; measured), a case of its own.
 */
const images = (o: Record<string, unknown> = {}) => ({ data: { name: 'mnist' }, batchSize: 2, model: { noiseDim: 16, arch: 'dcgan28' }, ...o });

const LOSSES_2D = ['ns', 'minimax', 'lsgan', 'wgan', 'wgan-gp', 'dragan', 'r1', 'r2', 'hinge', 'rsgan', 'rasgan', 'ralsgan', 'rahinge', 'began'];

export const OBJECTIVE_CASES: Array<[string, Record<string, unknown>]> = [
  ...LOSSES_2D.map((loss): [string, Record<string, unknown>] => [`2-D ${loss}`, points({ loss, model: { generator: mlp('relu'), discriminator: mlp('leakyRelu') } })]),
  ['2-D wgan-gp tanh + layer norm', points({ loss: 'wgan-gp', model: { generator: mlp('tanh', true), discriminator: mlp('tanh', true) } })],
  ['2-D r1 elu + layer norm', points({ loss: 'r1', model: { generator: mlp('elu'), discriminator: mlp('elu', true) } })],
  ['2-D wgan-gp spectral norm', points({ loss: 'wgan-gp', model: { sn: true, generator: mlp('relu'), discriminator: mlp('relu') } })],
  ['2-D infogan', points({ loss: 'infogan', model: { generator: mlp('relu'), discriminator: mlp('leakyRelu') } })],
  ['2-D preset (wgan-gp, 3×64)', points()],
  // dcgan28 ns and wgan-gp: in the train group (its first step is these objectives and their update).
  ['dcgan28 began (autoencoder D)', images({ loss: 'began' })],
  ['dcgan28 infogan (Q head)', images({ loss: 'infogan' })],
  ['dcgan28 acgan (class head, conditional G)', images({ loss: 'acgan' })],
];

export const TRAIN_CASES: Array<[string, Record<string, unknown>]> = [
  ['2-D preset (wgan-gp toy, 3×64, n_critic 5)', points()],
  ['dcgan28 ns', images({ loss: 'ns' })],
  ['dcgan28 wgan-gp (n_critic 1)', images({ loss: 'wgan-gp', nCritic: 1 })],
];


/** Whether a config trains on images (the page runs 2-D cases only). */
export const isImageCase = (overrides: Record<string, unknown>): boolean => (overrides.data as { name?: string } | undefined)?.name === 'mnist';

export interface ParityRun {
  groups: Set<string>;
  /** Cases whose name contains this. */
  only: string;
  emit: (line: Record<string, unknown>) => void;
  makeTrainer: MakeTrainer;
  /** Skip image cases (a page). */
  pointsOnly?: boolean;
}

/**
 * Runs the groups with the device started and the CPU engine (tfjs-cpu) active; emits the
 * adapter, every comparison, the coverage line ({coverage}) and {done, tensors}.
 */
export async function runParity(run: ParityRun): Promise<void> {
  emit = run.emit;
  makeTrainer = run.makeTrainer;
  emit({ adapter: webGpuAdapter(), device: deviceBackend(), host: tf.getBackend() });
  const pick = <T extends { name: string } | [string, Record<string, unknown>]>(cases: T[]) =>
    cases.filter((c) => (Array.isArray(c) ? c[0] : c.name).includes(run.only) && !(run.pointsOnly && Array.isArray(c) && isImageCase(c[1])));
  if (run.groups.has('op')) for (const c of pick(OP_CASES)) await opCase(c);
  if (run.groups.has('objective')) for (const [name, o] of pick(OBJECTIVE_CASES)) await objectiveCase(name, o);
  if (run.groups.has('train')) for (const [name, o] of pick(TRAIN_CASES)) await trainCase(name, o);
  const covered = dispatched.op;
  const missing = [...new Set([...dispatched.objective, ...dispatched.train])].filter((k) => !covered.has(k)).sort();
  emit({ coverage: { op: [...covered].sort(), missing } });
  emit({ done: true, tensors: tf.memory().numTensors });
}
