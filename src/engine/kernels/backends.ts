/**
 * What gankit's JavaScript kernels need from tfjs's wasm and cpu backends (not in tfjs's public
 * types), and the two ways they are registered.
 */
import { tf } from '../tfjs.js';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { simdKernels } from './simd.js';
import type { SimdKernels, WasmModuleLike } from './simd.js';

export interface WasmBackendLike {
  readSync(dataId: object): Float32Array;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  /**
   * A view of the tensor in the wasm heap. Take views after the kernel's last makeOutput: an
   * allocation can grow (and replace) the heap's buffer.
   */
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array;
  disposeData(dataId: object): boolean;
}

/** What a kernel that runs on the wasm heap by offset (SIMD) or by view needs from tfjs-wasm. */
export interface WasmHeapBackend {
  wasm: WasmModuleLike;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

export interface CpuBackendLike {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** Registers a new kernel for wasm and cpu (unless there already is one). */
export function registerOnWasmAndCpu(kernelName: string, wasm: KernelFunc, cpu: KernelFunc): void {
  for (const [backendName, kernelFunc] of [['wasm', wasm], ['cpu', cpu]] as const) {
    if (!tf.getKernel(kernelName, backendName)) tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
}

/**
 * Puts a kernel in front of tfjs-wasm's own `name`, which it receives to fall back on. Once only:
 * the replacement is marked.
 */
export function replaceWasmKernel(name: string, makeFunc: (stock: KernelConfig) => KernelFunc): void {
  const stock = tf.getKernel(name, 'wasm');
  if (!stock || (stock as { gankit?: boolean }).gankit) return;
  const kernelFunc = makeFunc(stock);
  tf.unregisterKernel(name, 'wasm');
  const config: KernelConfig & { gankit: boolean } = { ...stock, kernelFunc, gankit: true };
  tf.registerKernel(config);
}

/**
 * The wasm and cpu kernels of an elementwise op of two float32 inputs of one shape (`a`, `b`, by
 * their input names), such as an activation's gradient GankitXGrad(dy, y): on wasm the SIMD module
 * (`simd`, on byte offsets), or `loop` on heap views where the module cannot run; on cpu `loop`.
 */
export function elementwiseKernels(
  [a, b]: [string, string],
  simd: (k: SimdKernels, a: number, b: number, out: number, n: number, attrs: NamedAttrMap) => void,
  loop: (a: Float32Array, b: Float32Array, out: Float32Array, attrs: NamedAttrMap) => void,
): { wasm: KernelFunc; cpu: KernelFunc } {
  const wasm: KernelFunc = ({ inputs, backend, attrs }) => {
    const [ta, tb] = [inputs[a] as TensorInfo, inputs[b] as TensorInfo];
    const heap = backend as unknown as WasmHeapBackend;
    const out = heap.makeOutput([...tb.shape], 'float32');
    const k = simdKernels(heap.wasm);
    if (k) {
      const at = (t: TensorInfo) => heap.dataIdMap.get(t.dataId).memoryOffset;
      simd(k, at(ta), at(tb), at(out), tf.util.sizeFromShape(tb.shape), attrs ?? {});
    } else loop(heap.typedArrayFromHeap(ta), heap.typedArrayFromHeap(tb), heap.typedArrayFromHeap(out), attrs ?? {});
    return out;
  };
  const cpu: KernelFunc = ({ inputs, backend, attrs }) => {
    const [ta, tb] = [inputs[a] as TensorInfo, inputs[b] as TensorInfo];
    const c = backend as unknown as CpuBackendLike;
    const out = new Float32Array(tf.util.sizeFromShape(tb.shape));
    loop(c.data.get(ta.dataId).values, c.data.get(tb.dataId).values, out, attrs ?? {});
    return c.makeTensorInfo([...tb.shape], 'float32', out);
  };
  return { wasm, cpu };
}

/**
 * Puts the SIMD module's version of the unary op `name` (input x) in front of tfjs-wasm's own:
 * `simd` runs on byte offsets for float32 inputs; tfjs's kernel takes any other dtype, and every
 * input where the module cannot run.
 */
export function replaceWasmUnaryWithSimd(name: string, simd: (k: SimdKernels, x: number, out: number, n: number, attrs: NamedAttrMap) => void): void {
  replaceWasmKernel(name, (stock) => (args) => {
    const x = args.inputs.x as TensorInfo;
    const heap = args.backend as unknown as WasmHeapBackend;
    const k = x.dtype === 'float32' ? simdKernels(heap.wasm) : null;
    if (!k) return stock.kernelFunc(args);
    const out = heap.makeOutput([...x.shape], 'float32');
    simd(k, heap.dataIdMap.get(x.dataId).memoryOffset, heap.dataIdMap.get(out.dataId).memoryOffset, tf.util.sizeFromShape(x.shape), args.attrs ?? {});
    return out;
  });
}
