/**
 * Σ over many tensors at once (optionally of squares), as one kernel: the trainer's gradient norms
 * and weight checksum took 2–3 small kernels per variable every step (a third of a 2-D MLP step's
 * kernels), each paying tfjs's dispatch cost. Summed in float64 in JavaScript over the backend's
 * memory (wasm and cpu) for tensors up to 64k values; bigger ones (and other backends) use the
 * backend's own sums, which are faster there — or, with the native layer, BLAS (sdot for squares,
 * a product with ones for sums). Float64 accumulation (of the JS part) makes the result
 * slightly more accurate than tf.sum's float32 one; both are diagnostics, not training inputs.
 */
import { tf } from '../tfjs.js';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { registerOnWasmAndCpu } from './backends.js';
import type { CpuBackendLike, WasmBackendLike } from './backends.js';
import { nativeOn } from '../native/state.js';
import { nativeSum } from '../native/kernels.js';

export const SUM_ALL = 'GankitSumAll';

function total(arrays: Float32Array[], square: boolean): number {
  let s = 0;
  for (const a of arrays) {
    const n = a.length;
    if (square) for (let i = 0; i < n; i++) s += a[i] * a[i];
    else for (let i = 0; i < n; i++) s += a[i];
  }
  return s;
}

const inputsOf = (inputs: unknown) => Object.values(inputs as Record<string, TensorInfo>);

const wasmKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackendLike;
  const square = Boolean((attrs as { square?: boolean }).square);
  const out = wasm.makeOutput([], 'float32');
  let s = 0;
  const small: TensorInfo[] = [];
  for (const t of inputsOf(inputs)) {
    // Big tensors by BLAS when the native layer is on (sumAll sends them here only then).
    const big = tf.util.sizeFromShape(t.shape) > JS_MAX_SIZE ? nativeSum(backend, t, square) : null;
    if (big === null) small.push(t);
    else s += big;
  }
  s += total(small.map((t) => wasm.typedArrayFromHeap(t) as Float32Array), square);
  wasm.typedArrayFromHeap(out)[0] = s;
  return out;
};

const cpuKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as unknown as CpuBackendLike;
  const s = total(inputsOf(inputs).map((t) => cpu.data.get(t.dataId).values), Boolean((attrs as { square?: boolean }).square));
  return cpu.makeTensorInfo([], 'float32', Float32Array.of(s));
};

export function registerSumAll(): void {
  registerOnWasmAndCpu(SUM_ALL, wasmKernel, cpuKernel);
}

/** Above this many values a tensor is summed by the backend's own (SIMD, threaded) kernels. */
const JS_MAX_SIZE = 1 << 16;

/** Σ of every element of every tensor (of their squares with `square`), a float32 scalar. */
export function sumAll(tensors: tf.Tensor[], square = false): tf.Scalar {
  if (tensors.length === 0) return tf.scalar(0);
  const kernel = tf.getKernel(SUM_ALL, tf.getBackend()) !== undefined;
  // With the native layer (wasm) the kernel sums big tensors by BLAS too; webgpu's sums any size.
  const cap = nativeOn() || tf.getBackend() === 'webgpu' ? Infinity : JS_MAX_SIZE;
  const small = kernel ? tensors.filter((t) => t.dtype === 'float32' && t.size <= cap) : [];
  const rest = tensors.filter((t) => !small.includes(t));
  return tf.tidy(() => {
    const parts = rest.map((t) => tf.sum(square ? tf.square(t) : t));
    if (small.length) {
      const named: Record<string, tf.Tensor> = {};
      small.forEach((t, i) => (named[`t${i}`] = t));
      parts.push(tf.engine().runKernel(SUM_ALL, named, { square } as unknown as tf.NamedAttrMap) as tf.Tensor);
    }
    return (parts.length === 1 ? parts[0] : tf.addN(parts)) as tf.Scalar;
  });
}
