/**
 * The WebGPU backend (tfjs-backend-webgpu) in the browser and in Node.
 *
 * In a browser, `navigator.gpu` is the browser's. In Node it comes from the npm package `webgpu`
 * (Google's Dawn, prebuilt for linux-x64, macOS and Windows; on Linux it needs a Vulkan driver and
 * Debian's `libvulkan1`). That package is an optional peer dependency — 130 MB of binaries most
 * users of a CPU machine do not want — so it is loaded only when asked for: `npm install webgpu`.
 * tfjs-backend-webgpu checks `navigator.gpu` when its module is evaluated, so `navigator.gpu` is
 * set first and the backend module is imported after.
 *
 * Everything gankit adds works there: the second-order gradient fixes and the convolution
 * gradients are backend-independent tfjs ops. The wasm/cpu-only kernels (fused Adam, block copies)
 * are simply not registered for webgpu and the ops run instead.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors.js';
import { registerDenseKernel } from './dense.js';
import { isNode, nodeImport } from './node.js';


/** Dawn's command-line style toggles for Node (none needed by default). */
const DAWN_FLAGS: string[] = [];

async function provideNodeGpu(): Promise<void> {
  const nav = ((globalThis as { navigator?: { gpu?: unknown } }).navigator ??= {} as { gpu?: unknown });
  if (nav.gpu) return;
  let dawn: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
  try {
    dawn = await nodeImport<typeof dawn>('webgpu');
  } catch (e) {
    throw new InputError(
      `backend 'webgpu' in Node needs the npm package 'webgpu' (Dawn): run \`npm install webgpu\` in your project ` +
        `(and, on Linux, have a Vulkan driver and libvulkan1). Loading it failed: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(nav, 'gpu', { value: dawn.create(DAWN_FLAGS), configurable: true, writable: true });
}

/**
 * Registers and selects the webgpu backend. Returns false when no GPU adapter is available (the
 * caller then falls back or fails, as for any backend).
 */
export async function startWebGpu(): Promise<boolean> {
  if (isNode) await provideNodeGpu();
  await import('@tensorflow/tfjs-backend-webgpu');
  registerDenseKernel('webgpu');
  try {
    return await tf.setBackend('webgpu');
  } catch {
    return false;
  }
}
