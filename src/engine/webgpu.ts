/**
 * The WebGPU backend (tfjs-backend-webgpu) in the browser and in Node, as a training device
 * (src/engine/device.ts: the steps run on it, everything else on the host backend).
 *
 * In a browser, `navigator.gpu` is the browser's. In Node it comes from the npm package `webgpu`
 * (Google's Dawn, prebuilt for linux-x64, macOS and Windows; on Linux it needs a Vulkan driver and
 * the Vulkan loader, Debian's `libvulkan1`). For users it is an optional peer dependency — 130 MB
 * of binaries most users of a CPU machine do not want — so it is loaded only when asked for:
 * `npm install webgpu`. (gankit's own tests run on it with Chromium's SwiftShader driver: see
 * docs/gpu.md.) tfjs-backend-webgpu checks `navigator.gpu` when its module is evaluated, so
 * `navigator.gpu` is set first and the backend module is imported after.
 *
 * Everything gankit adds works there: the second-order gradient fixes and the convolution
 * gradients are backend-independent tfjs ops (test/webgpu.parity.test.ts compares every op, loss
 * and penalty with the CPU engine). The wasm/cpu-only kernels are not registered for webgpu and
 * the ops run instead, except where gankit has a WGSL kernel of its own (kernels/webgpu*.ts).
 */
import { tf } from './tfjs.js';
import { InputError } from '../errors.js';
import { registerDenseKernel } from './dense.js';
import { guardSyncReads } from './device.js';
import { isNode, nodeImport } from './node.js';
import { registerWebGpuKernels } from './kernels/webgpuKernels.js';

/**
 * Dawn's flags for Node (none by default), from GANKIT_DAWN_FLAGS, comma-separated: e.g.
 * `backend=null` (Dawn's null device: nothing is computed, every result reads as zeros — for
 * measuring the host's cost per kernel, bench/gpu/kernels.ts), `enable-dawn-features=…`.
 */
const dawnFlags = (): string[] => (process.env.GANKIT_DAWN_FLAGS ?? '').split(',').filter(Boolean);

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<{ info?: { description?: string; vendor?: string; architecture?: string; device?: string } } | null>;
}

/** Where Chromium's SwiftShader Vulkan driver lies on Debian (a GPU-less WebGPU, for tests). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Linux: whether the Vulkan loader (libvulkan.so.1) can be found, as the dynamic linker looks for
 * it (LD_LIBRARY_PATH, ld.so.cache, the usual folders). Dawn prints a multi-line warning and finds
 * no adapter without it; gankit says so in one line instead. Other systems: true.
 */
async function vulkanLoaderFound(): Promise<boolean> {
  if (process.platform !== 'linux') return true;
  const fs = await nodeImport<typeof import('node:fs')>('node:fs');
  const name = 'libvulkan.so.1';
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/lib', '/usr/lib', '/lib64', '/usr/lib64', '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/local/lib'];
  if (dirs.some((d) => fs.existsSync(`${d}/${name}`))) return true;
  try {
    return fs.readFileSync('/etc/ld.so.cache').includes(name);
  } catch {
    return false;
  }
}

/**
 * Linux: whether the Vulkan loader will find a driver (an ICD file): the files VK_DRIVER_FILES,
 * VK_ICD_FILENAMES or VK_ADD_DRIVER_FILES name, else the loader's usual folders. Without one Dawn
 * prints the loader's warnings and finds no adapter; gankit says so in one line instead.
 */
async function vulkanDriverFound(): Promise<boolean> {
  if (process.platform !== 'linux') return true;
  const fs = await nodeImport<typeof import('node:fs')>('node:fs');
  const listed = [process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES, process.env.VK_ADD_DRIVER_FILES].filter((v): v is string => Boolean(v));
  const exists = (p: string) => fs.existsSync(p) && (!fs.statSync(p).isDirectory() || fs.readdirSync(p).some((f) => f.endsWith('.json')));
  if (process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES) return listed.join(':').split(':').filter(Boolean).some(exists);
  const bases = [
    ...(process.env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':'),
    '/etc',
    ...(process.env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':'),
    '/usr/local/share',
    '/usr/share',
    `${process.env.HOME ?? ''}/.local/share`,
  ];
  return [...listed.join(':').split(':').filter(Boolean), ...bases.map((b) => `${b}/vulkan/icd.d`)].some(exists);
}

const SWIFTSHADER_HINT = `without a GPU, Chromium's SwiftShader driver works: VK_DRIVER_FILES=${SWIFTSHADER_ICD} LD_LIBRARY_PATH=/usr/lib/chromium`;

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
  const flags = dawnFlags();
  if (!flags.includes('backend=null') && !(await vulkanLoaderFound())) {
    throw new InputError(`backend 'webgpu': no Vulkan loader (libvulkan.so.1) here, so Dawn finds no GPU: install libvulkan1 and your GPU's Vulkan driver; ${SWIFTSHADER_HINT}`);
  }
  if (!flags.includes('backend=null') && !(await vulkanDriverFound())) {
    throw new InputError(`backend 'webgpu': no Vulkan driver here (no ICD file in VK_DRIVER_FILES or the loader's folders), so Dawn finds no GPU: install your GPU's Vulkan driver; ${SWIFTSHADER_HINT}`);
  }
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(nav, 'gpu', { value: dawn.create(flags), configurable: true, writable: true });
}

/** The adapter's name once WebGPU has started ('SwiftShader driver 5.0.0', a GPU's name), else null. */
let adapterName: string | null = null;
export function webGpuAdapter(): string | null {
  return adapterName;
}

/**
 * Registers and initialises the webgpu backend, without making it the active one. Throws an
 * InputError of one line when it cannot start (no `webgpu` package in Node, no Vulkan loader, no
 * adapter, a device that fails).
 */
export async function startWebGpu(): Promise<void> {
  if (isNode) await provideNodeGpu();
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) throw new InputError(`backend 'webgpu': this ${isNode ? 'process' : 'browser'} has no WebGPU (navigator.gpu)`);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new InputError(`backend 'webgpu': no WebGPU adapter${isNode ? ` (Dawn found no Vulkan driver: install your GPU's; ${SWIFTSHADER_HINT})` : ''}`);
  }
  const info = adapter.info ?? {};
  adapterName = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || (isNode && dawnFlags().includes('backend=null') ? "Dawn's null device (computes nothing)" : 'unnamed adapter');
  const webgpu = await import('@tensorflow/tfjs-backend-webgpu');
  registerDenseKernel('webgpu');
  registerWebGpuKernels(webgpu.webgpu_util);
  const host = tf.getBackend();
  let ok = false;
  let reason = '';
  try {
    ok = await tf.setBackend('webgpu');
  } catch (e) {
    reason = `: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    if (host && host !== 'webgpu') await tf.setBackend(host);
  }
  if (!ok) throw new InputError(`backend 'webgpu': the device on ${adapterName} failed to start${reason}`);
  // In Node a synchronous read cannot work (no OffscreenCanvas): say so clearly if one happens.
  if (isNode) guardSyncReads('webgpu');
}
