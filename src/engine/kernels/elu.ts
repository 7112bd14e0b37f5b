/**
 * The gradient of ELU as one kernel.
 *
 * elu'(x) = 1 for x > 0, eˣ = y + 1 otherwise (y = elu(x), the saved output, as tfjs's own
 * EluGrad reads it). gankit's earlier gradient recomputed eˣ with five kernels and four
 * temporaries per layer and step (Greater, Minimum, Exp, Multiply, Select): 30 % of a BEGAN step
 * on dcgan28, whose autoencoder runs ELU on 28×28×32 maps. Here:
 *   GankitEluGrad(dy, y, x) = y > 0 ? dy : dy·(y + 1)
 * as 128-bit SIMD on the wasm heap (simd.wat), a loop on cpu, the ops elsewhere. No exp, and
 * nothing to overflow. (For x below about −16, y + 1 rounds to 0 in float32 where eˣ < 1e-7: an
 * absolute error under 1e-7·|dy|.) Its own gradient, for the gradient penalties' double backprop,
 * goes through x, not y (tfjs's tape does not carry a saved output back to the input): linear in
 * dy (the same kernel), and ∂/∂x is x > 0 ? 0 : ddx·dy·eˣ, with ops (exp(min(x, 0)) keeps the
 * unselected branch finite).
 */
import { tf } from '../tfjs.js';
import type { GradConfig, Tensor } from '@tensorflow/tfjs';
import { elementwiseKernels, registerOnWasmAndCpu } from './backends.js';

export const ELU_GRAD = 'GankitEluGrad';

function gradLoop(dy: Float32Array, y: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const v = y[i];
    out[i] = v > 0 ? dy[i] : Math.fround(dy[i] * Math.fround(v + 1));
  }
}

const gradKernels = elementwiseKernels(['dy', 'y'], (k, dy, y, out, n) => k.eluGrad(dy, y, out, n), (dy, y, out) => gradLoop(dy, y, out));

/** ∂elu(x)/∂x · dy from y = elu(x) — one kernel where the backend has it, else the ops on x. */
export function eluGrad(dy: Tensor, y: Tensor, x: Tensor): Tensor {
  if (dy.dtype === 'float32' && y.dtype === 'float32' && tf.util.arraysEqual(dy.shape, y.shape) && tf.getKernel(ELU_GRAD, tf.getBackend())) {
    return tf.engine().runKernel(ELU_GRAD, { dy, y, x }) as Tensor;
  }
  return tf.where(tf.greater(x, 0), dy, tf.mul(dy, tf.exp(tf.minimum(x, 0))));
}

const single = (dy: Tensor | Tensor[]): Tensor => (Array.isArray(dy) ? dy[0] : dy);

export const eluGradGradient: GradConfig = {
  kernelName: ELU_GRAD,
  inputsToSave: ['dy', 'y', 'x'],
  gradFunc: (ddx, [dy, y, x]) => ({
    dy: () => eluGrad(single(ddx), y, x),
    // y only carries eˣ's value here; the dependence on x is all in the x term.
    y: () => tf.zerosLike(y),
    x: () => tf.where(tf.greater(x, 0), tf.zerosLike(x), tf.mul(tf.mul(single(ddx), dy), tf.exp(tf.minimum(x, 0)))),
  }),
};

export const eluGradient: GradConfig = {
  kernelName: 'Elu',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, [x, y]) => ({ x: () => eluGrad(single(dy), y, x) }),
};

export function registerElu(): void {
  registerOnWasmAndCpu(ELU_GRAD, gradKernels.wasm, gradKernels.cpu);
  tf.registerGradient(eluGradGradient);
  tf.registerGradient(eluGradient);
}
