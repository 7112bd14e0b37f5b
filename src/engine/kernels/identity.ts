/**
 * Identity for the wasm backend without a copy. tfjs clones every tensor a gradient saves (an
 * Identity kernel per saved input), and tfjs-wasm's Identity copies the data: a Lucic step cloned
 * its 6.4M-value weights three times (~11 ms) and its activations ~80 times (~30 ms in all). Like
 * tfjs-wasm's own Reshape and tfjs-cpu's Identity, this one shares the data and counts a reference:
 * tensors are immutable (a variable's assign swaps its data, never writes into it), so a shared
 * buffer is never changed under a clone. Strings keep the stock kernel.
 *
 * The clones of saved tensors skip the kernel dispatch too (`registerSharedClone`): on wasm the
 * engine's clone does what the dispatch of this Identity would do — one more reference to the
 * data, a new tensor, and the tape node that carries gradients from the clone back to the
 * original (second order needs it) — without tfjs's per-kernel bookkeeping (a 2-D step saves ~55
 * tensors). The same tensors and data ids result, so the same bits.
 */
import { tf } from '../tfjs.js';
import type { Tensor, TensorInfo } from '@tensorflow/tfjs';
import { replaceWasmKernel } from './backends.js';

export function registerWasmIdentity(): void {
  replaceWasmKernel('Identity', (stock) => (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}

/** What the shared clone uses of tfjs's engine (not in its public types). */
interface EngineInternals {
  backendName: string;
  backend: { incRef(dataId: object): void };
  state: { tensorInfo: { get(dataId: object): { backend: object } | undefined }; activeScope: { name: string } };
  clone(x: Tensor): Tensor & { gankitSharedClone?: true };
  makeTensorFromTensorInfo(info: TensorInfo, backend?: object): Tensor;
  addTapeNode(kernelName: string, inputs: Record<string, Tensor>, outputs: Tensor[], grad: (dy: Tensor) => Record<string, () => Tensor>, saved: Tensor[], attrs: object): void;
  runKernel(name: string, inputs: Record<string, Tensor>, attrs: object): Tensor;
}

/** Whether the engine's clones share data without a dispatch (the bench's A/B turns it off). */
export let sharedCloneOn = true;
export function setSharedClone(on: boolean): void {
  sharedCloneOn = on;
}

/**
 * Replaces the engine's clone (used only to save tensors for a gradient) by one that shares the
 * data on wasm with gankit's Identity registered, exactly as that kernel's dispatch would; anything
 * else goes to tfjs's clone.
 */
export function registerSharedClone(): void {
  const engine = tf.engine() as unknown as EngineInternals & { clone: { gankit?: boolean } };
  if (engine.clone.gankit) return;
  const stock = engine.clone.bind(engine);
  const identity = () => tf.getKernel('Identity', 'wasm') as unknown as { gankit?: boolean } | undefined;
  const clone = (x: Tensor): Tensor => {
    if (!sharedCloneOn || engine.backendName !== 'wasm' || x.dtype === 'string' || !identity()?.gankit) return stock(x);
    const backend = engine.backend;
    if (engine.state.tensorInfo.get(x.dataId)?.backend !== backend) return stock(x);
    backend.incRef(x.dataId);
    const y = engine.makeTensorFromTensorInfo({ dataId: x.dataId, shape: [...x.shape], dtype: x.dtype }, backend);
    // tfjs's clone: the gradient of y reaches x as a float32 Cast (same for a second order).
    const grad = (dy: Tensor) => ({ x: () => engine.runKernel('Cast', { x: dy }, { dtype: 'float32' }) });
    engine.addTapeNode(engine.state.activeScope.name, { x }, [y], grad, [], {});
    return y;
  };
  (clone as { gankit?: boolean }).gankit = true;
  (engine as unknown as { clone: typeof clone }).clone = clone;
}
