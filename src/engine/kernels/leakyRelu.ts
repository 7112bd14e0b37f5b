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
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { registerOnWasmAndCpu, replaceWasmKernel } from './backends.js';
import type { CpuBackendLike, WasmHeapBackend } from './backends.js';
import { simdKernels } from './simd.js';

export const LEAKY_RELU_GRAD = 'GankitLeakyReluGrad';

function gradLoop(dy: Float32Array, x: Float32Array, out: Float32Array, alpha: number): void {
  const a = Math.fround(alpha);
  for (let i = 0; i < out.length; i++) out[i] = x[i] > 0 ? dy[i] : Math.fround(a * dy[i]);
}

const wasmGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
  const b = backend as unknown as WasmHeapBackend;
  const out = b.makeOutput([...x.shape], 'float32');
  const alpha = (attrs as { alpha: number }).alpha;
  const simd = simdKernels(b.wasm);
  if (simd) {
    const at = (t: TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
    simd.leakyReluGrad(at(dy), at(x), at(out), tf.util.sizeFromShape(x.shape), Math.fround(alpha));
  } else gradLoop(b.typedArrayFromHeap(dy), b.typedArrayFromHeap(x), b.typedArrayFromHeap(out), alpha);
  return out;
};

const cpuGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
  const cpu = backend as unknown as CpuBackendLike;
  const out = new Float32Array(tf.util.sizeFromShape(x.shape));
  gradLoop(cpu.data.get(dy.dataId).values, cpu.data.get(x.dataId).values, out, (attrs as { alpha: number }).alpha);
  return cpu.makeTensorInfo([...x.shape], 'float32', out);
};

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
    dy: () => leakyReluGrad(single(ddx), x, (attrs as unknown as { alpha: number }).alpha),
    x: () => tf.zerosLike(x),
  }),
};

export const leakyReluGradient: GradConfig = {
  kernelName: 'LeakyRelu',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({ x: () => leakyReluGrad(single(dy), x, (attrs as unknown as { alpha: number }).alpha) }),
};

export const reluGradient: GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({ x: () => leakyReluGrad(single(dy), x, 0) }),
};

export function registerLeakyRelu(): void {
  registerOnWasmAndCpu(LEAKY_RELU_GRAD, wasmGrad, cpuGrad);
  tf.registerGradient(leakyReluGradGradient);
  tf.registerGradient(leakyReluGradient);
  tf.registerGradient(reluGradient);
  replaceWasmKernel('LeakyRelu', (stock) => (args) => {
    const x = args.inputs.x as TensorInfo;
    const b = args.backend as unknown as WasmHeapBackend;
    const simd = x.dtype === 'float32' ? simdKernels(b.wasm) : null;
    if (!simd) return stock.kernelFunc(args);
    const out = b.makeOutput([...x.shape], 'float32');
    simd.leakyRelu(b.dataIdMap.get(x.dataId).memoryOffset, b.dataIdMap.get(out.dataId).memoryOffset, tf.util.sizeFromShape(x.shape), Math.fround((args.attrs as { alpha: number }).alpha));
    return out;
  });
}
