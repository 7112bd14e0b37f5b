/**
 * Identity for the wasm backend without a copy. tfjs clones every tensor a gradient saves (an
 * Identity kernel per saved input), and tfjs-wasm's Identity copies the data: a Lucic step cloned
 * its 6.4M-value weights three times (~11 ms) and its activations ~80 times (~30 ms in all). Like
 * tfjs-wasm's own Reshape and tfjs-cpu's Identity, this one shares the data and counts a reference:
 * tensors are immutable (a variable's assign swaps its data, never writes into it), so a shared
 * buffer is never changed under a clone. Strings keep the stock kernel.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { replaceWasmKernel } from './backends.js';

export function registerWasmIdentity(): void {
  replaceWasmKernel('Identity', (stock) => (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}
