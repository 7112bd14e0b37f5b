/**
 * Leaky ReLU and the gradients of ReLU and leaky ReLU as one kernel each.
 *
 * tfjs computes the gradient of leakyRelu(x) as where(x > 0, dy, α·dy) and of relu(x) as
 * dy·step(x): three kernels and two temporaries per layer and step (Greater, Multiply, Select; or
 * Step, Cast, Multiply), and tfjs-wasm's LeakyRelu is a scalar loop. Here:
 *   GankitLeakyReluGrad(dy, x; α) = x > 0 ? dy : α·dy      (relu: α = 0)
 * — the same values bit for bit (one product or none per element) — as 128-bit SIMD on the wasm
 * heap (simd.wat), a JavaScript loop on cpu, the original ops elsewhere. It is linear in dy and
 * piecewise constant in x, so its own gradient is the same kernel for dy and zero for x: every
 * order of differentiation stays exact (gradient penalties differentiate it once more).
 * LeakyRelu's forward runs as SIMD on wasm too (x < 0 ? α·x : x, as tfjs's kernel).
 */
import { tf } from '../tfjs.js';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { elementwiseKernels, registerOnWasmAndCpu, replaceWasmUnaryWithSimd } from './backends.js';

export const LEAKY_RELU_GRAD = 'GankitLeakyReluGrad';

function gradLoop(dy: Float32Array, x: Float32Array, out: Float32Array, alpha: number): void {
  const a = Math.fround(alpha);
  for (let i = 0; i < out.length; i++) out[i] = x[i] > 0 ? dy[i] : Math.fround(a * dy[i]);
}

const alphaOf = (attrs: NamedAttrMap): number => (attrs as unknown as { alpha: number }).alpha;

const gradKernels = elementwiseKernels(
  ['dy', 'x'],
  (k, dy, x, out, n, attrs) => k.leakyReluGrad(dy, x, out, n, Math.fround(alphaOf(attrs))),
  (dy, x, out, attrs) => gradLoop(dy, x, out, alphaOf(attrs)),
);

/** x > 0 ? dy : α·dy — one kernel where the backend has it, else the ops tfjs uses. */
export function leakyReluGrad(dy: Tensor, x: Tensor, alpha: number): Tensor {
  if (dy.dtype === 'float32' && x.dtype === 'float32' && tf.util.arraysEqual(dy.shape, x.shape) && tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend())) {
    return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha } as unknown as NamedAttrMap) as Tensor;
  }
  const mask = tf.greater(x, 0);
  return alpha === 0 ? tf.mul(dy, tf.cast(mask, 'float32')) : tf.where(mask, dy, tf.mul(dy, alpha));
}

const single = (dy: Tensor | Tensor[]): Tensor => (Array.isArray(dy) ? dy[0] : dy);

export const leakyReluGradGradient: GradConfig = {
  kernelName: LEAKY_RELU_GRAD,
  inputsToSave: ['x'],
  gradFunc: (ddx, [x], attrs) => ({
    dy: () => leakyReluGrad(single(ddx), x, alphaOf(attrs as unknown as NamedAttrMap)),
    x: () => tf.zerosLike(x),
  }),
};

export const leakyReluGradient: GradConfig = {
  kernelName: 'LeakyRelu',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({ x: () => leakyReluGrad(single(dy), x, alphaOf(attrs as unknown as NamedAttrMap)) }),
};

export const reluGradient: GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({ x: () => leakyReluGrad(single(dy), x, 0) }),
};

export function registerLeakyRelu(): void {
  registerOnWasmAndCpu(LEAKY_RELU_GRAD, gradKernels.wasm, gradKernels.cpu);
  tf.registerGradient(leakyReluGradGradient);
  tf.registerGradient(leakyReluGradient);
  tf.registerGradient(reluGradient);
  replaceWasmUnaryWithSimd('LeakyRelu', (k, x, out, n, attrs) => k.leakyRelu(x, out, n, Math.fround(alphaOf(attrs))));
}
