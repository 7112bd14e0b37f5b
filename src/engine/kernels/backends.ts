/**
 * What gankit's JavaScript kernels need from tfjs's wasm and cpu backends (not in tfjs's public
 * types), and the two ways they are registered.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { WasmModuleLike } from './simd.js';

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
