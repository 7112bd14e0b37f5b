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
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { registerOnWasmAndCpu } from './backends.js';
import type { CpuBackendLike, WasmHeapBackend } from './backends.js';
import { simdKernels } from './simd.js';

export const ELU_GRAD = 'GankitEluGrad';

function gradLoop(dy: Float32Array, y: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const v = y[i];
    out[i] = v > 0 ? dy[i] : Math.fround(dy[i] * Math.fround(v + 1));
  }
}

const wasmGrad: KernelFunc = ({ inputs, backend }) => {
  const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
  const b = backend as unknown as WasmHeapBackend;
  const out = b.makeOutput([...y.shape], 'float32');
  const simd = simdKernels(b.wasm);
  if (simd) {
    const at = (t: TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
    simd.eluGrad(at(dy), at(y), at(out), tf.util.sizeFromShape(y.shape));
  } else gradLoop(b.typedArrayFromHeap(dy), b.typedArrayFromHeap(y), b.typedArrayFromHeap(out));
  return out;
};

const cpuGrad: KernelFunc = ({ inputs, backend }) => {
  const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
  const cpu = backend as unknown as CpuBackendLike;
  const out = new Float32Array(tf.util.sizeFromShape(y.shape));
  gradLoop(cpu.data.get(dy.dataId).values, cpu.data.get(y.dataId).values, out);
  return cpu.makeTensorInfo([...y.shape], 'float32', out);
};

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
  registerOnWasmAndCpu(ELU_GRAD, wasmGrad, cpuGrad);
  tf.registerGradient(eluGradGradient);
  tf.registerGradient(eluGradient);
}
