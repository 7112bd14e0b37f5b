/**
 * The exponential moving average of weights (the trainer's EMA of G) as one kernel:
 *   avg' = d·avg + (1 − d)·x
 * tfjs runs it as three kernels (two Multiply by a scalar, one Add), three passes over memory; for
 * the Lucic G's 6.4M-value layer, ~75 MB moved per step. GankitAxpby does one pass, as 128-bit SIMD
 * on wasm (simd.wat) and a JavaScript loop on cpu, with the same float32 bits as the ops: each
 * product and the sum is rounded to float32, in the same order (a·x, b·y, their sum; Math.fround
 * after each on cpu). No gradient: a moving average is updated outside the tape.
 */
import { tf } from '../tfjs.js';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { simdKernels } from './simd.js';
import type { CpuBackendLike, WasmHeapBackend } from './backends.js';
import { registerOnWasmAndCpu } from './backends.js';

export const AXPBY = 'GankitAxpby';

interface AxpbyAttrs {
  a: number;
  b: number;
}

function loop(x: Float32Array, y: Float32Array, out: Float32Array, { a, b }: AxpbyAttrs): void {
  const f = Math.fround;
  const fa = f(a);
  const fb = f(b);
  for (let i = 0; i < out.length; i++) out[i] = f(f(fa * x[i]) + f(fb * y[i]));
}

const wasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, y } = inputs as { x: TensorInfo; y: TensorInfo };
  const heap = backend as unknown as WasmHeapBackend;
  const out = heap.makeOutput([...x.shape], 'float32');
  const k = simdKernels(heap.wasm);
  const c = attrs as unknown as AxpbyAttrs;
  if (k) {
    const at = (t: TensorInfo) => heap.dataIdMap.get(t.dataId).memoryOffset;
    k.axpby(at(x), at(y), at(out), tf.util.sizeFromShape(x.shape), Math.fround(c.a), Math.fround(c.b));
  } else loop(heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(y), heap.typedArrayFromHeap(out), c);
  return out;
};

const cpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, y } = inputs as { x: TensorInfo; y: TensorInfo };
  const c = backend as unknown as CpuBackendLike;
  const out = new Float32Array(tf.util.sizeFromShape(x.shape));
  loop(c.data.get(x.dataId).values, c.data.get(y.dataId).values, out, attrs as unknown as AxpbyAttrs);
  return c.makeTensorInfo([...x.shape], 'float32', out);
};

/** d·avg + (1 − d)·x: one kernel where the backend has it (same bits as the ops), else the ops. */
export function movingAverage(avg: tf.Tensor, x: tf.Tensor, decay: number): tf.Tensor {
  if (avg.dtype === 'float32' && x.dtype === 'float32' && tf.util.arraysEqual(avg.shape, x.shape) && tf.getKernel(AXPBY, tf.getBackend())) {
    return tf.engine().runKernel(AXPBY, { x: avg, y: x }, { a: decay, b: 1 - decay } as unknown as NamedAttrMap) as tf.Tensor;
  }
  return tf.add(tf.mul(decay, avg), tf.mul(1 - decay, x));
}

export function registerMovingAverage(): void {
  registerOnWasmAndCpu(AXPBY, wasm, cpu);
}
