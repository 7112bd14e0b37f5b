/**
 * gankit's fixes and kernels for tfjs-backend-webgpu 4.22.
 *
 * AddN: tfjs-webgpu compiles one shader that binds every input as its own storage buffer, and the
 * device it requests has WebGPU's default limit of 8 storage buffers per shader stage (the output
 * is one). With 8 or more inputs the pipeline is invalid: Dawn prints validation errors, the
 * command buffer is dropped, and the result reads as zeros — silently wrong (docs/gpu.md, "bugs
 * found"). tfjs-webgpu's Concat splits its inputs by that limit; AddN does not. Here AddN is run in
 * chunks whose first input is the previous chunk's sum, so the additions happen in the same order
 * as in one shader (((x0 + x1) + x2) + …): the same values as an unlimited AddN.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface WebGpuBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): boolean;
}

/** Puts `makeFunc(stock)` in front of tfjs-webgpu's kernel `name` (once). */
function replaceWebGpuKernel(name: string, makeFunc: (stock: KernelConfig) => KernelFunc): void {
  const stock = tf.getKernel(name, 'webgpu');
  if (!stock || (stock as { gankit?: boolean }).gankit) return;
  const kernelFunc = makeFunc(stock);
  tf.unregisterKernel(name, 'webgpu');
  tf.registerKernel({ ...stock, kernelFunc, gankit: true } as KernelConfig);
}

/** AddN over any number of inputs (see the header). */
export function chunkedAddN(stock: KernelConfig): KernelFunc {
  return (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const backend = args.backend as unknown as WebGpuBackendLike;
    const most = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= most) return stock.kernelFunc(args);
    let sum = stock.kernelFunc({ ...args, inputs: inputs.slice(0, most) as unknown as tf.NamedTensorInfoMap }) as TensorInfo;
    for (let start = most; start < inputs.length; start += most - 1) {
      const chunk = [sum, ...inputs.slice(start, start + most - 1)];
      const next = (chunk.length === 1 ? sum : stock.kernelFunc({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap })) as TensorInfo;
      if (next !== sum) backend.disposeData(sum.dataId);
      sum = next;
    }
    return sum;
  };
}

export function registerWebGpuKernels(): void {
  replaceWebGpuKernel('AddN', chunkedAddN);
}
