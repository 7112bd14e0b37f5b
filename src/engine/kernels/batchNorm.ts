/**
 * Batch norm (training mode: the batch's own statistics) with the bias before it and the
 * activation after it, as one kernel forward and one backward — instead of the op-by-op rule's
 * ~10 element-wise kernels forward (moments' Mean, Cast, Sub, Square, Mean; Add, Rsqrt, Sub, Mul,
 * Mul, Add; then the activation) and ~30 backward, each a pass over memory on one thread and most
 * of them broadcasting (slow on tfjs-wasm).
 *
 * Over x [..., C] (channels last; R = rows = x.size / C), with bias b, gain γ and shift β [C]:
 *   z = x + b;  μ = Σ_r z / R;  σ² = Σ_r (z − μ)² / R;  s = 1 / √(σ² + ε)
 *   y = act(((z − μ)·s)·γ + β)                       act: linear, relu or leaky relu
 * The statistics take one pass: with K = z of the first row (a shift against cancellation) and
 * d = z − K in float32, S = Σ_r d and Q = Σ_r d², summed in float32 over 4 rows at a time and then
 * in float64; μ = K + S/R and σ² = Q/R − (S/R)² in float64, rounded once. Everything else is
 * float32 in the op-by-op rule's order, so y differs from the ops only through μ and σ² (the ops
 * sum in float32): within a few float32 ulps of |z − μ|·s·|γ| (test/engine.kernels.test.ts states
 * the bound it checks). The SIMD module runs 4 channels × 4 rows at a time, all inline (V8 does
 * not inline wasm calls: the first version's helper calls made it ~10–20× slower, 5–25 ns per
 * value).
 *
 * Gradient (GankitBatchNormGrad, one kernel, two passes): with u = dy ⊙ act'(y) (y > 0 ? dy : α·dy,
 * α = 0 for relu, 1 for linear) and x̂ = (z − μ)·s,
 *   dβ = Σ_r u;  dγ = Σ_r u·x̂;  dx = (γ·s)·((u − dβ/R) − x̂·(dγ/R));  db = Σ_r dx
 * (the sums as in the forward: float32 over 4 rows, then float64; db is zero in exact arithmetic,
 * as with the ops; it is computed, not assumed, so the bias sees the same kind of rounding noise
 * as before). Within ~1e-6 of max |dx| of a float64 reference.
 *
 * Second order (gradient penalties differentiate a critic's gradient): when the gradient itself is
 * being recorded on a tape (a penalty's inner gradient), the backward runs as the formulas above in
 * differentiable ops (moments recomputed from z), so every order of differentiation holds; the
 * fused backward runs only in a plain first-order backward pass. No bench case has batch norm under
 * a penalty (a penalised critic has no batch norm by default: models/conv.ts), so that path is for
 * correctness, checked by finite differences in test/engine.gradients.test.ts.
 *
 * Registered on wasm, as SIMD (simd.wat); the models call it only while the fused kernel set is on
 * (state.ts `fusedOn`), so the wasm-only kernel set still runs the ops.
 */
import { tf } from '../tfjs.js';
import type { GradConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { simdKernels } from './simd.js';
import type { WasmHeapBackend } from './backends.js';
import { leakyReluGrad } from './leakyRelu.js';

export const BATCH_NORM = 'GankitBatchNorm';
export const BATCH_NORM_GRAD = 'GankitBatchNormGrad';

export type NormActivation = 'linear' | 'relu' | 'leakyrelu';

interface NormAttrs {
  epsilon: number;
  activation: NormActivation;
  alpha: number;
}

/** The module's activation codes (simd.wat $act4) and the gradient's mask slope. */
const KIND: Record<NormActivation, number> = { linear: 0, relu: 1, leakyrelu: 3 };
const maskSlope = (a: NormAttrs): number => (a.activation === 'relu' ? 0 : a.activation === 'leakyrelu' ? a.alpha : 1);

type HeapBackend = WasmHeapBackend & { wasm: { _malloc(bytes: number): number; _free(ptr: number): void } };

const channels = (shape: readonly number[]): number => shape[shape.length - 1];

const forwardKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, bias, gain, shift } = inputs as Record<string, TensorInfo>;
  const a = attrs as unknown as NormAttrs;
  const heap = backend as unknown as HeapBackend;
  const cols = channels(x.shape);
  const rows = tf.util.sizeFromShape(x.shape) / cols;
  const y = heap.makeOutput([...x.shape], 'float32');
  const mean = heap.makeOutput([cols], 'float32');
  const invstd = heap.makeOutput([cols], 'float32');
  const k = simdKernels(heap.wasm)!;
  const acc = heap.wasm._malloc(16 * cols) >>> 0;
  try {
    const at = (t: TensorInfo) => heap.dataIdMap.get(t.dataId).memoryOffset;
    k.batchNorm(at(x), at(bias), at(gain), at(shift), at(y), at(mean), at(invstd), acc, rows, cols, KIND[a.activation], Math.fround(a.alpha), Math.fround(a.epsilon));
  } finally {
    heap.wasm._free(acc);
  }
  return [y, mean, invstd];
};

const backwardKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, bias, y, gain, mean, invstd } = inputs as Record<string, TensorInfo>;
  const heap = backend as unknown as HeapBackend;
  const cols = channels(x.shape);
  const rows = tf.util.sizeFromShape(x.shape) / cols;
  const dx = heap.makeOutput([...x.shape], 'float32');
  const params = heap.makeOutput([3 * cols], 'float32');
  const k = simdKernels(heap.wasm)!;
  const acc = heap.wasm._malloc(36 * cols) >>> 0;
  try {
    const at = (t: TensorInfo) => heap.dataIdMap.get(t.dataId).memoryOffset;
    k.batchNormGrad(at(dy), at(x), at(bias), at(y), at(gain), at(mean), at(invstd), at(dx), at(params), acc, rows, cols, Math.fround((attrs as unknown as { slope: number }).slope));
  } finally {
    heap.wasm._free(acc);
  }
  return [dx, params];
};

/** Whether the fused kernels run on the current backend (wasm with the SIMD module). */
export function batchNormAvailable(): boolean {
  if (tf.getBackend() !== 'wasm' || !tf.getKernel(BATCH_NORM, 'wasm')) return false;
  return simdKernels((tf.backend() as unknown as { wasm: object }).wasm) !== null;
}

const single = (dy: Tensor | Tensor[]): Tensor => (Array.isArray(dy) ? dy[0] : dy);

/** The reduced axes: all but the last. */
const rowAxes = (rank: number): number[] => [...Array(rank - 1).keys()];

/**
 * act(batchNorm(x + bias)) as the op-by-op rule computes it (the models' own rule, for a backend
 * without the kernel, and the tests' reference).
 */
export function batchNormOps(x: Tensor, bias: Tensor | null, gain: Tensor, shift: Tensor, a: NormAttrs): Tensor {
  return tf.tidy(() => {
    const z = bias ? tf.add(x, bias) : x;
    const { mean, variance } = tf.moments(z, rowAxes(z.rank), true);
    const normed = tf.mul(tf.sub(z, mean), tf.rsqrt(tf.add(variance, a.epsilon)));
    const pre = tf.add(tf.mul(normed, gain), shift);
    return a.activation === 'relu' ? tf.relu(pre) : a.activation === 'leakyrelu' ? tf.leakyRelu(pre, a.alpha) : pre;
  });
}

/**
 * act(batchNorm(x + bias)) with the batch's statistics: one kernel where it runs (wasm), else the
 * ops. `bias` null: none. Returns y only (the kernel's statistics stay on the tape).
 */
export function batchNorm(x: Tensor, bias: Tensor | null, gain: Tensor, shift: Tensor, attrs: NormAttrs): Tensor {
  const cols = channels(x.shape);
  for (const [name, t] of [['bias', bias], ['gain', gain], ['shift', shift]] as const) {
    if (t && (t.size !== cols || t.rank !== 1)) throw new Error(`batchNorm: ${name} has shape ${t.shape}, expected [${cols}]`);
  }
  if (x.dtype !== 'float32' || x.size === 0 || x.rank < 2 || !batchNormAvailable()) return batchNormOps(x, bias, gain, shift, attrs);
  const b = bias ?? tf.zeros([cols]);
  const [y, mean, invstd] = tf.engine().runKernel(BATCH_NORM, { x, bias: b, gain, shift }, attrs as unknown as NamedAttrMap) as Tensor[];
  mean.dispose();
  invstd.dispose();
  if (!bias) b.dispose();
  return y;
}

/**
 * The gradient as differentiable ops (the formulas in the header, statistics recomputed from z),
 * for a backward pass that is itself being recorded (second order).
 */
function opsGradient(dy: Tensor, x: Tensor, bias: Tensor, gain: Tensor, y: Tensor, a: NormAttrs): Record<string, () => Tensor> {
  const axes = rowAxes(x.rank);
  const rows = x.size / channels(x.shape);
  const z = tf.add(x, bias);
  const { mean, variance } = tf.moments(z, axes, true);
  const s = tf.rsqrt(tf.add(variance, a.epsilon));
  const xhat = tf.mul(tf.sub(z, mean), s);
  // act' is piecewise constant (y > 0 ⇔ pre-activation > 0); leakyReluGrad has its own gradient.
  const u = a.activation === 'linear' ? dy : leakyReluGrad(dy, y, maskSlope(a));
  const dshift = tf.sum(u, axes);
  const dgain = tf.sum(tf.mul(u, xhat), axes);
  const dz = tf.mul(tf.div(tf.mul(gain, s), rows), tf.sub(tf.sub(tf.mul(u, rows), dshift), tf.mul(xhat, dgain)));
  return { x: () => dz, bias: () => tf.sum(dz, axes), gain: () => dgain, shift: () => dshift };
}

/** Whether the engine records the ops run now (a backward pass under an outer gradient). */
const taping = (): boolean => (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();

export const batchNormGradient: GradConfig = {
  kernelName: BATCH_NORM,
  inputsToSave: ['x', 'bias', 'gain'],
  outputsToSave: [true, true, true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, bias, gain, y, mean, invstd] = saved;
    const a = attrs as unknown as NormAttrs;
    // dys[1] and dys[2] (the statistics) are zeros: batchNorm() never hands them out.
    const dy = single(dys);
    if (taping()) return opsGradient(dy, x, bias, gain, y, a);
    // Computed once here for all four inputs (the closures are called one by one; what no closure
    // returns is disposed with the backward pass's scope).
    const [dx, params] = tf.engine().runKernel(BATCH_NORM_GRAD, { dy, x, bias, y, gain, mean, invstd }, { slope: maskSlope(a) } as unknown as NamedAttrMap) as Tensor[];
    const c = channels(x.shape);
    return {
      x: () => dx,
      gain: () => tf.slice(params, [0], [c]),
      shift: () => tf.slice(params, [c], [c]),
      bias: () => tf.slice(params, [2 * c], [c]),
    };
  },
};

export function registerBatchNorm(): void {
  if (!tf.getKernel(BATCH_NORM, 'wasm')) tf.registerKernel({ kernelName: BATCH_NORM, backendName: 'wasm', kernelFunc: forwardKernel });
  if (!tf.getKernel(BATCH_NORM_GRAD, 'wasm')) tf.registerKernel({ kernelName: BATCH_NORM_GRAD, backendName: 'wasm', kernelFunc: backwardKernel });
  tf.registerGradient(batchNormGradient);
}
