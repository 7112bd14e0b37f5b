/**
 * tanh and its gradient as kernels.
 *
 * Why: tfjs-wasm's Tanh is a scalar loop over the C library's tanh, ~45 ns an element here: 37 %
 * of a WGAN-GP critic step of a 4×256 tanh MLP with layer norm, where gankit's gradient rule also
 * recomputed tanh(x) for every first- and second-order backward pass.
 *
 * Forward (wasm, float32): 128-bit SIMD in simd.wat. With t = min(|x|, 10):
 *   t < 0.625:  t·P(t²), P a degree-5 fit of tanh(t)/t in relative error (P(0) = 1);
 *   otherwise:  1 − 2/(e²ᵗ + 1), e²ᵗ = 2ⁿ·Q(r) by the usual range reduction (n = round(2t/ln 2),
 *               r = 2t − n·ln 2 with ln 2 in two parts), Q a degree-6 fit of eʳ on |r| ≤ ln2/2;
 * and the sign of x. Within 1.3 float32 ulps of tanh everywhere (the test sweeps ~3 million
 * points against float64): not tfjs's bits, which are the C library's. NaN stays NaN, ±∞ → ±1.
 * The cpu backend keeps tfjs's own.
 *
 * Gradient: tanh′(x) = 1 − tanh(x)², from the saved output y:
 *   GankitTanhGrad(dy, y, x) = dy·(1 − y²)
 * (SIMD on wasm, a loop on cpu; rounds like the ops dy·(1 − y·y), bit for bit). Its own gradient,
 * for the gradient penalties' double backprop, goes through x, not y (tfjs's tape does not carry a
 * saved output back to the input, as with ELU): linear in dy (the same kernel), and
 * ∂/∂x = ddx·dy·(−2y)(1 − y²) from y's value, so no tanh is recomputed. Backends without the
 * kernel (webgpu) run dy·(1 − tanh(x)²) as ops, whose tape carries x.
 */
import { tf } from '../tfjs.js';
import type { GradConfig, Tensor } from '@tensorflow/tfjs';
import { elementwiseKernels, registerOnWasmAndCpu, replaceWasmUnaryWithSimd } from './backends.js';

export const TANH_GRAD = 'GankitTanhGrad';

function gradLoop(dy: Float32Array, y: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const v = y[i];
    out[i] = Math.fround(dy[i] * Math.fround(1 - Math.fround(v * v)));
  }
}

const gradKernels = elementwiseKernels(['dy', 'y'], (k, dy, y, out, n) => k.tanhGrad(dy, y, out, n), (dy, y, out) => gradLoop(dy, y, out));

/** dy·(1 − tanh(x)²) from y = tanh(x) — one kernel where the backend has it, else the ops on x. */
export function tanhGrad(dy: Tensor, y: Tensor, x: Tensor): Tensor {
  if (dy.dtype === 'float32' && y.dtype === 'float32' && tf.util.arraysEqual(dy.shape, y.shape) && tf.getKernel(TANH_GRAD, tf.getBackend())) {
    return tf.engine().runKernel(TANH_GRAD, { dy, y, x }) as Tensor;
  }
  return tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x))));
}

const single = (dy: Tensor | Tensor[]): Tensor => (Array.isArray(dy) ? dy[0] : dy);

export const tanhGradGradient: GradConfig = {
  kernelName: TANH_GRAD,
  inputsToSave: ['dy', 'y', 'x'],
  gradFunc: (ddx, [dy, y, x]) => ({
    dy: () => tanhGrad(single(ddx), y, x),
    // y only carries tanh(x)'s value here; the dependence on x is all in the x term.
    y: () => tf.zerosLike(y),
    x: () => tf.mul(tf.mul(single(ddx), dy), tf.mul(tf.mul(y, -2), tf.sub(1, tf.square(y)))),
  }),
};

export const tanhGradient: GradConfig = {
  kernelName: 'Tanh',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, [x, y]) => ({ x: () => tanhGrad(single(dy), y, x) }),
};

export function registerTanh(): void {
  registerOnWasmAndCpu(TANH_GRAD, gradKernels.wasm, gradKernels.cpu);
  tf.registerGradient(tanhGradGradient);
  tf.registerGradient(tanhGradient);
  replaceWasmUnaryWithSimd('Tanh', (k, x, out, n) => k.tanh(x, out, n));
}
