/**
 * Backend selection. Order of precedence: the `backend` option, then the GANKIT_BACKEND
 * environment variable, then `wasm`. If the chosen backend cannot start, gankit falls back to
 * `cpu` and says so on stderr, with the reason (unless `fallback: false`, then it throws a
 * BackendError); `initEngine` returns the backend that runs, which a run records. webgl is for
 * browsers: in Node it is refused.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerSecondOrderGradients } from './gradients.js';
import { InputError } from '../errors.js';
import { registerWasmConv2DBackpropFilter } from './kernels/conv2dBackpropFilter.js';
import { MAX_WASM_THREADS, startWasmWithThreads } from './threads.js';
import { registerWasmTranspose } from './kernels/transpose.js';
import { registerWasmBlockCopies } from './kernels/blockCopy.js';
import { registerFusedAdam } from './kernels/adam.js';
import { registerSumAll } from './kernels/sums.js';
import { registerWasmReductions } from './kernels/reductions.js';
import { registerWasmIdentity } from './kernels/identity.js';
import { registerLeakyRelu } from './kernels/leakyRelu.js';
import { registerElu } from './kernels/elu.js';
import { registerTanh } from './kernels/tanh.js';
import { registerCpuResizeNearestNeighborGrad } from './kernels/resizeGrad.js';
import { startWebGpu, webGpuAdapter } from './webgpu.js';
import { deviceBackend, setDevice } from './device.js';
import { isNode, nodeImport } from './node.js';
import { registerDense } from './dense.js';
import { registerConvGradients } from './conv.js';
import { registerNativeKernels } from './native/kernels.js';
import { activeBlas, setActiveBlas } from './native/state.js';
import { installHint, loadBlas } from './native/blas.js';
import type { BlasLoad } from './native/blas.js';

/**
 * Every gradient and kernel gankit registers (idempotent): done when the engine module loads and
 * again by initEngine, in case something registered tfjs's own over them in between.
 */
export function registerAll(): void {
  registerSecondOrderGradients();
  registerDense();
  registerConvGradients();
  registerLeakyRelu();
  registerElu();
  registerTanh();
  registerCpuResizeNearestNeighborGrad();
  registerWasmKernels();
  registerNativeKernels();
}

/** gankit's kernels: wasm's missing Conv2DBackpropFilter/UnsortedSegmentSum, faster Transpose, GatherV2, Reverse, Sum/Mean, a copy-free Identity, the fused Adam update and Σ over many tensors. */
export function registerWasmKernels(): void {
  registerWasmConv2DBackpropFilter();
  registerWasmTranspose();
  registerWasmBlockCopies();
  registerWasmReductions();
  registerWasmIdentity();
  registerFusedAdam();
  registerSumAll();
}

/** A backend that cannot start here (with fallback off): names it and says why. */
export class BackendError extends Error {
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`backend '${backend}' failed to initialise (${reason})`);
  }
}

/** webgl: browsers only (in Node it is refused). */
export const BACKENDS = ['wasm', 'cpu', 'webgpu', 'webgl'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface EngineOptions {
  backend?: BackendName | string;
  /** Fall back to cpu when the chosen backend fails to initialise (default true). */
  fallback?: boolean;
  /** Where to report a fallback (default: console.error). */
  warn?: (message: string) => void;
  /**
   * XNNPACK threads for the wasm backend in Node (the calling thread included). Order: this
   * option, then GANKIT_THREADS, then the default for the workload. Only the first wasm start in
   * a process counts.
   */
  threads?: number | string;
  /** What will run, for the default thread count: 'points' (small 2-D MLPs) or 'images' (default 'images'). */
  workload?: Workload;
  /**
   * The native BLAS kernels (wasm backend, Node): 'auto' (default: on when a library is found,
   * else one line on how to get one), 'on' (an error without one), 'off'. Then GANKIT_NATIVE
   * (0/off, 1/on, auto).
   */
  native?: NativeMode | string;
  /** BLAS threads (default: the policy for the workload; then GANKIT_BLAS_THREADS). */
  blasThreads?: number | string;
  /** Cores this process may use (default: all): a pool's share for one trial. */
  cores?: number;
  /** A run's recorded compute settings (config.json): used exactly, so a resumed run stays bit-identical. */
  compute?: ComputeSettings | null;
}

export type NativeMode = 'auto' | 'on' | 'off';

/** What a run computed with — recorded in config.json and reused by resume. */
export interface ComputeSettings {
  /** The native BLAS kernels were on. */
  native: boolean;
  /** XNNPACK threads of the wasm backend. */
  wasmThreads: number;
  /** BLAS threads (1 when native is off). */
  blasThreads: number;
}

/**
 * The thread policy, measured on 2 cores (docs/speed.md): with the native kernels one wasm thread
 * (wasm's spinning pool slows the next BLAS call) and BLAS on every core up to 4 for images, one
 * BLAS thread for the small 2-D products (thread wake-ups cost more than they split); without,
 * XNNPACK on every core up to 4 for images and one thread for 2-D.
 */
export function threadPolicy(workload: Workload, native: boolean, available: number = cores()): { wasmThreads: number; blasThreads: number } {
  const all = Math.max(1, Math.min(available, 4));
  if (native) return { wasmThreads: 1, blasThreads: workload === 'points' ? 1 : all };
  return { wasmThreads: workload === 'points' ? 1 : all, blasThreads: 1 };
}

export type Workload = 'points' | 'images';

/**
 * The default thread count, measured (docs/speed.md): small 2-D MLP steps run about twice as slow
 * with two threads (each op is too small to split), image models ~1.4–1.5× faster (2 cores). So: one thread
 * for 2-D point runs, every core up to 4 for images.
 */
export function defaultThreads(workload: Workload = 'images'): number {
  return threadPolicy(workload, false).wasmThreads;
}

/** Logical cores: navigator.hardwareConcurrency where there is one, else Node's count (set by initEngine). */
let nodeCores = 1;
const cores = (): number => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? nodeCores;
const env = (name: string): string | undefined => (typeof process !== 'undefined' ? process.env?.[name] : undefined);

export function resolveThreads(option?: number | string, workload?: Workload, fallback: number = defaultThreads(workload)): number {
  const raw = option ?? env('GANKIT_THREADS');
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    const from = option !== undefined ? 'threads' : 'GANKIT_THREADS';
    throw new InputError(`${from}: expected an integer from 1 to ${MAX_WASM_THREADS}, got '${raw}'`);
  }
  return n;
}

/** Threads the wasm backend actually uses (1 before it has started or on another backend). */
export function wasmThreads(): number {
  try {
    return Math.max(1, getThreadsCount());
  } catch {
    return 1;
  }
}

export function resolveBackendName(option?: string): BackendName {
  const requested = option ?? env('GANKIT_BACKEND') ?? 'wasm';
  if (!(BACKENDS as readonly string[]).includes(requested)) {
    const from = option !== undefined ? 'backend option' : 'GANKIT_BACKEND';
    throw new InputError(`${from}: unknown backend '${requested}' (choose one of ${BACKENDS.join(', ')})`);
  }
  return requested as BackendName;
}

/**
 * Runs `work` with what the wasm module prints itself while it starts (console.warn, or fd 2 in
 * Node: "failed to asynchronously prepare wasm: …") held back, so that a backend that cannot start
 * is said in gankit's one line; returns the result and the first line held.
 */
async function quietly<T>(work: () => Promise<T>): Promise<{ result: T | Error; said: string | null }> {
  const fs = isNode ? (await nodeImport<{ default: typeof import('node:fs') }>('node:fs')).default : null;
  const [write, warn, error] = [fs?.writeSync, console.warn, console.error];
  const held: string[] = [];
  const hold = (text: unknown) => void held.push(String(text).replace(/\n$/, ''));
  console.warn = console.error = (...args: unknown[]) => hold(args.join(' '));
  if (fs && write) {
    fs.writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
      if (fd !== 2) return (write as (...a: unknown[]) => number)(fd, data, ...rest);
      hold(data);
      return typeof data === 'string' ? data.length : (data as Uint8Array).byteLength;
    }) as typeof fs.writeSync;
  }
  let result: T | Error;
  try {
    result = await work();
  } catch (e) {
    result = e instanceof Error ? e : new Error(String(e));
  } finally {
    [console.warn, console.error] = [warn, error];
    if (fs && write) fs.writeSync = write;
  }
  // A backend that started says what it said; one that did not is said by the caller, in a line.
  if (result === true) held.forEach((line) => console.warn(line));
  return { result, said: held.length ? held[0].split('\n')[0] : null };
}

/** Starts the backend; null when it runs, else why it does not (a line). */
async function tryBackend(name: BackendName, threads: number): Promise<string | null> {
  // In a page: one thread (the single-threaded SIMD binary, as the CLI with GANKIT_THREADS=1).
  const { result, said } = await quietly(() => (name === 'wasm' ? startWasmWithThreads(isNode ? threads : 1, () => tf.setBackend('wasm')) : tf.setBackend(name)));
  if (result === true) return null;
  const why = said?.replace(/^failed to asynchronously prepare wasm: /, '') ?? (result instanceof Error ? result.message.split('\n')[0] : 'it did not start');
  return why.replace(/^(RangeError|Error): /, '');
}

/**
 * GANKIT_TF_FLAGS: a JSON object of tfjs environment flags set once the backend is up, for tuning
 * (e.g. '{"WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD":0}' keeps every webgpu op on the GPU).
 */
let flagsLater = false;
function applyTfFlags(): void {
  const raw = env('GANKIT_TF_FLAGS');
  if (!raw || flagsLater) return;
  let flags: unknown;
  try {
    flags = JSON.parse(raw);
  } catch (e) {
    throw new InputError(`GANKIT_TF_FLAGS: not JSON (${(e as Error).message})`);
  }
  if (typeof flags !== 'object' || flags === null || Array.isArray(flags)) throw new InputError('GANKIT_TF_FLAGS: expected a JSON object of flag names and values');
  for (const [name, value] of Object.entries(flags)) {
    try {
      tf.env().set(name, value as boolean | number);
    } catch (e) {
      throw new InputError(`GANKIT_TF_FLAGS: ${name}: ${(e as Error).message}`);
    }
  }
}

/** The native mode asked for: the option, then GANKIT_NATIVE, then 'auto'. */
export function resolveNativeMode(option?: string): NativeMode {
  const raw = option ?? env('GANKIT_NATIVE') ?? 'auto';
  const mode = ({ '': 'auto', auto: 'auto', on: 'on', '1': 'on', true: 'on', off: 'off', '0': 'off', false: 'off' } as Record<string, NativeMode>)[raw];
  if (!mode) throw new InputError(`${option !== undefined ? 'native' : 'GANKIT_NATIVE'}: expected on, off or auto, got '${raw}'`);
  return mode;
}

function resolveBlasThreads(option: number | string | undefined, fallback: number): number {
  const raw = option ?? env('GANKIT_BLAS_THREADS');
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InputError(`${option !== undefined ? 'blas-threads' : 'GANKIT_BLAS_THREADS'}: expected an integer from 1 to 64, got '${raw}'`);
  return n;
}

/** One load per process: the library does not change while it runs. */
let blasLoad: Promise<BlasLoad> | undefined;
let hinted = false;

/** The native library if one loads here (null and the reason otherwise); loads it once. */
export function findNativeBlas(): Promise<BlasLoad> {
  blasLoad ??= loadBlas();
  return blasLoad;
}

/** What the engine runs with now (for `gankit info` and config.json). */
export interface EngineState {
  backend: string;
  /** The device the training steps run on (webgpu) and its adapter, or null: they run on `backend`. */
  device: { backend: string; adapter: string | null } | null;
  wasmThreads: number;
  native: { path: string; version: string; threads: number } | null;
  /** Why the native kernels are off. */
  nativeOff?: string;
}

let nativeOffReason = 'the engine has not started';

export function engineState(): EngineState {
  const blas = activeBlas();
  const backend = tf.getBackend();
  const device = deviceBackend();
  return {
    backend,
    device: device ? { backend: device, adapter: device === 'webgpu' ? webGpuAdapter() : null } : null,
    wasmThreads: backend === 'wasm' ? wasmThreads() : 0,
    native: blas ? { path: blas.path, version: blas.version, threads: blas.threads() } : null,
    ...(blas ? {} : { nativeOff: nativeOffReason }),
  };
}

/** The compute settings in effect, as a run records them. */
export function computeSettings(): ComputeSettings {
  const blas = activeBlas();
  return { native: blas !== null, wasmThreads: tf.getBackend() === 'wasm' ? wasmThreads() : 1, blasThreads: blas ? blas.threads() : 1 };
}

/** Turns the native kernels on or off in this process (wasm backend); true when on afterwards. */
export async function setNative(on: boolean, blasThreads?: number): Promise<boolean> {
  if (!on || tf.getBackend() !== 'wasm' || !isNode) {
    setActiveBlas(null);
    nativeOffReason = !on ? 'turned off (--native off or GANKIT_NATIVE=0)' : isNode ? `the ${tf.getBackend()} backend (the native kernels serve wasm)` : 'native kernels run in Node only';
    return false;
  }
  const load = await findNativeBlas();
  if (!load.blas) {
    setActiveBlas(null);
    nativeOffReason = load.reason;
    return false;
  }
  if (blasThreads !== undefined) load.blas.setThreads(blasThreads);
  setActiveBlas(load.blas);
  return true;
}

function warner(options: EngineOptions): (m: string) => void {
  return options.warn ?? ((m: string) => console.error(m));
}

/**
 * Selects and initialises the backend; returns the name actually in use. `webgpu` is a device
 * (src/engine/device.ts): the host engine starts as for `wasm` (the active backend, for everything
 * but the training steps) and WebGPU beside it; it never falls back — one InputError says why it
 * cannot start.
 */
export async function initEngine(options: EngineOptions = {}): Promise<BackendName> {
  registerAll();
  // tfjs-backend-cpu prints a banner recommending tfjs-node (which cannot be installed here).
  tf.env().set('PROD', true);
  if (isNode) nodeCores = (await nodeImport<typeof import('node:os')>('node:os')).availableParallelism();
  const wanted = resolveBackendName(options.backend);
  if (wanted === 'webgl' && isNode) throw new InputError(`${options.backend !== undefined ? 'backend' : 'GANKIT_BACKEND'}: webgl runs only in a browser (in Node: wasm, cpu or webgpu)`);
  if (wanted === 'webgpu') {
    // The flags after the device: tfjs-webgpu registers its own (WEBGPU_*) when it loads.
    flagsLater = true;
    try {
      await initEngine({ ...options, backend: 'wasm' });
    } finally {
      flagsLater = false;
    }
    if (deviceBackend() !== 'webgpu') {
      await startWebGpu();
      setDevice('webgpu');
    }
    applyTfFlags();
    return 'webgpu';
  }
  setDevice(null);
  const recorded = options.compute ?? null;
  const mode: NativeMode = recorded ? (recorded.native ? 'on' : 'off') : resolveNativeMode(options.native);
  // The library first: whether it is there decides the wasm thread count.
  const load = wanted === 'wasm' && isNode && mode !== 'off' ? await findNativeBlas() : null;
  if (mode === 'on' && load && !load.blas) {
    if (recorded) warner(options)(`gankit: this run used native BLAS kernels, but ${load.reason}; it continues on the wasm kernels (not bit-identical to an uninterrupted run)`);
    else throw new InputError(`native: ${load.reason} (${installHint()})`);
  }
  if (mode === 'auto' && load && !load.blas && !hinted) {
    hinted = true;
    warner(options)(`gankit: no native BLAS (${load.reason}): the wasm kernels run; for ~2× speed: ${installHint()}`);
  }
  const native = Boolean(load?.blas);
  const policy = threadPolicy(options.workload ?? 'images', native, options.cores ?? cores());
  const threads = recorded ? recorded.wasmThreads : resolveThreads(options.threads, options.workload, policy.wasmThreads);
  const blasThreads = recorded ? recorded.blasThreads : resolveBlasThreads(options.blasThreads, policy.blasThreads);
  const finish = async (): Promise<void> => {
    await setNative(mode !== 'off', blasThreads);
  };
  if (tf.getBackend() === wanted) {
    // The module is started once per process: a later, different thread count cannot apply.
    if (wanted === 'wasm' && (options.threads !== undefined || recorded) && wasmThreads() !== threads) {
      warner(options)(`gankit: the wasm backend already runs with ${wasmThreads()} thread(s); --threads ${threads} would need a new process`);
    }
    await finish();
    return wanted;
  }
  const failed = await tryBackend(wanted, threads);
  if (failed === null) {
    await tf.ready();
    applyTfFlags();
    await finish();
    return wanted;
  }
  if (options.fallback === false || wanted === 'cpu') throw new BackendError(wanted, failed);
  warner(options)(`gankit: backend '${wanted}' failed to initialise (${failed}); falling back to 'cpu'`);
  await tf.setBackend('cpu');
  await tf.ready();
  await finish();
  return 'cpu';
}
