/**
 * Backend selection. Order of precedence: the `backend` option, then the GANKIT_BACKEND
 * environment variable, then `wasm`. If the chosen backend cannot start, gankit falls back to
 * `cpu` and says so on stderr, with the reason (unless `fallback: false`, then it throws a
 * BackendError); `initEngine` returns the backend that runs, which a run records. webgl is for
 * browsers: in Node it is refused.
 */
import { tf, tfWasm } from './tfjs.js';
import { registerSecondOrderGradients } from './gradients.js';
import { InputError } from '../errors.js';
import { registerWasmConv2DBackpropFilter } from './kernels/conv2dBackpropFilter.js';
import { MAX_WASM_THREADS, startWasmWithThreads } from './threads.js';
import { registerWasmTranspose } from './kernels/transpose.js';
import { registerWasmBlockCopies } from './kernels/blockCopy.js';
import { registerFusedAdam } from './kernels/adam.js';
import { registerSumAll } from './kernels/sums.js';
import { registerWasmReductions } from './kernels/reductions.js';
import { registerSharedClone, registerWasmIdentity } from './kernels/identity.js';
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
import { activeBlas, fusedSetting, setActiveBlas, setFused } from './native/state.js';
import { registerBatchNorm } from './kernels/batchNorm.js';
import { registerMovingAverage } from './kernels/movingAverage.js';
import { registerWasmCopies } from './kernels/copies.js';
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
  registerBatchNorm();
  registerMovingAverage();
  registerWasmKernels();
  registerNativeKernels();
}

/** gankit's kernels: wasm's missing Conv2DBackpropFilter/UnsortedSegmentSum, faster Transpose, GatherV2, Reverse, Sum/Mean, a copy-free Identity and same-dtype Cast, Concat, the fused Adam update and Σ over many tensors. */
export function registerWasmKernels(): void {
  registerWasmConv2DBackpropFilter();
  registerWasmCopies();
  registerWasmTranspose();
  registerWasmBlockCopies();
  registerWasmReductions();
  registerWasmIdentity();
  registerSharedClone();
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
  /**
   * The fused kernels of the native kernel set (batch norm with its bias and activation): 'on'
   * (default) or 'off' (the native kernel set as before they existed); then GANKIT_FUSED. Only
   * with the native kernels.
   */
  fused?: boolean | string;
  /** A run's recorded compute settings (config.json): used exactly, so a resumed run stays bit-identical. */
  compute?: ComputeSettings | null;
  /**
   * The recorded run is only read (sampled, scored, exported), not continued: a warning that its
   * kernels cannot be reproduced says what that changes for reading it.
   */
  reading?: boolean;
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
  /**
   * The kernel set that computed the run (`kernelSet().id`). Runs started before gankit recorded
   * it have none: they computed with the kernel set of that time, which `initEngine` reproduces.
   */
  kernelSet?: string;
  /** The BLAS library and its kernels ("OpenBLAS 0.3.21 (core Haswell)"), when native was on: another one computes other bits. */
  blas?: string;
}

/**
 * Versions of gankit's own kernels, by family. Bump one when a change alters any result's bits:
 * the kernel-set id changes with it, so a number is never compared across kernels that compute
 * different bits without saying so, and `resume` warns when it continues on other kernels.
 *   base    gankit's kernels on every backend (Adam, activations and their gradients, sums,
 *           transposes, copies, the moving average)
 *   native  the BLAS products and convolutions (native/kernels.ts)
 *   fused   the fused kernels of the native set (batch norm with bias and activation)
 *           2: batch norm's statistics in one pass, summed over 4 rows in float32 first
 * A test (test/engine.kernels.test.ts) holds a digest of the kernel sources, so that a change to
 * them is a deliberate decision about these numbers.
 */
export const KERNEL_VERSIONS = { base: 1, native: 1, fused: 2 } as const;

/** Which kernels compute: a short stable id, what it stands for, and its switches. */
export interface KernelSet {
  /** "k" and 8 hex digits: FNV-1a of the description. */
  id: string;
  /** e.g. "wasm: base1 + native1 + fused2". */
  description: string;
  native: boolean;
  fused: boolean;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The kernel set of a backend with native and fused on or off (fused only counts with native). */
export function kernelSetOf(backend: string, native: boolean, fused: boolean): KernelSet {
  const on = native && backend === 'wasm';
  const parts = [`base${KERNEL_VERSIONS.base}`];
  if (on) parts.push(`native${KERNEL_VERSIONS.native}`);
  if (on && fused) parts.push(`fused${KERNEL_VERSIONS.fused}`);
  const description = `${backend}: ${parts.join(' + ')}`;
  return { id: `k${fnv1a(description)}`, description, native: on, fused: on && fused };
}

/** The kernel set in effect now. */
export function kernelSet(): KernelSet {
  return kernelSetOf(tf.getBackend(), activeBlas() !== null, fusedSetting());
}

/**
 * The thread policy (docs/speed.md, "Threads"): with the native kernels, one wasm thread (wasm's
 * spinning pool slows the next BLAS call, and what is left on wasm — element-wise kernels, the
 * SIMD module — runs on the calling thread anyway) and BLAS on every core for images: the image
 * models' products are far above the size where OpenBLAS splits a product (it runs one thread below
 * m·n·k = 2.6e5 and all of them above; the smallest image product, 64×64·6272, is 100× that), so
 * each core takes a share of every product. One BLAS thread for the small 2-D products (thread
 * wake-ups cost more than they split; measured). Without native, XNNPACK on every core up to its
 * pool of 8 for images and one thread for 2-D.
 */
export function threadPolicy(workload: Workload, native: boolean, available: number = cores()): { wasmThreads: number; blasThreads: number } {
  const all = Math.max(1, Math.floor(available));
  if (native) return { wasmThreads: 1, blasThreads: workload === 'points' ? 1 : Math.min(all, MAX_BLAS_THREADS) };
  return { wasmThreads: workload === 'points' ? 1 : Math.min(all, MAX_WASM_THREADS), blasThreads: 1 };
}

/** The most BLAS threads the policy or an override asks for. */
export const MAX_BLAS_THREADS = 64;

export type Workload = 'points' | 'images';

/**
 * The default thread count, measured (docs/speed.md): small 2-D MLP steps run about twice as slow
 * with two threads (each op is too small to split), image models ~1.4–1.5× faster (2 cores). So: one thread
 * for 2-D point runs, every core up to the pool's 8 for images.
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
    return Math.max(1, tfWasm.getThreadsCount());
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

function refuseWebglInNode(name: BackendName, from: string): void {
  if (name === 'webgl' && isNode) throw new InputError(`${from}: webgl runs only in a browser (in Node: wasm, cpu or webgpu)`);
}

/**
 * The backend GANKIT_BACKEND names, checked as the variable (an unknown name, or webgl in Node, is
 * refused naming it); undefined when it is not set. A command that records its backend takes it
 * only where neither its flag nor its config file names one.
 */
export function backendFromEnv(): BackendName | undefined {
  if (!env('GANKIT_BACKEND')) return undefined;
  const name = resolveBackendName();
  refuseWebglInNode(name, 'GANKIT_BACKEND');
  return name;
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
  if (!Number.isInteger(n) || n < 1 || n > MAX_BLAS_THREADS) throw new InputError(`${option !== undefined ? 'blas-threads' : 'GANKIT_BLAS_THREADS'}: expected an integer from 1 to ${MAX_BLAS_THREADS}, got '${raw}'`);
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
  /** The kernel set in effect (see KERNEL_VERSIONS). */
  kernels: KernelSet;
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
    kernels: kernelSet(),
    native: blas ? { path: blas.path, version: blas.version, threads: blas.threads() } : null,
    ...(blas ? {} : { nativeOff: nativeOffReason }),
  };
}

/** The compute settings in effect, as a run records them. */
export function computeSettings(): ComputeSettings {
  const blas = activeBlas();
  return { native: blas !== null, wasmThreads: tf.getBackend() === 'wasm' ? wasmThreads() : 1, blasThreads: blas ? blas.threads() : 1, kernelSet: kernelSet().id, ...(blas ? { blas: blas.version } : {}) };
}

/** The fused mode asked for: the option, then GANKIT_FUSED, then on. */
export function resolveFused(option?: boolean | string): boolean {
  if (typeof option === 'boolean') return option;
  const raw = option ?? env('GANKIT_FUSED') ?? 'on';
  const on = ({ '': true, on: true, '1': true, true: true, off: false, '0': false, false: false } as Record<string, boolean>)[raw];
  if (on === undefined) throw new InputError(`${option !== undefined ? 'fused' : 'GANKIT_FUSED'}: expected on or off, got '${raw}'`);
  return on;
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
 * Whether a recorded run's fused kernels are on: the setting whose kernel set has the recorded id
 * (the backend and native are settled by now). A run recorded before kernel sets were (no id)
 * computed without the fused kernels: it continues so, bit-identical, and says so. An id this
 * gankit does not have (its kernels changed since) cannot be reproduced: the default runs, with a
 * warning.
 */
function recordedFused(recorded: ComputeSettings, warn: (m: string) => void, reading: boolean): boolean {
  const backend = tf.getBackend();
  const native = activeBlas() !== null;
  const before = kernelSetOf(backend, native, false);
  if (!recorded.kernelSet) {
    warn(`gankit: this run records no kernel set (it started before gankit recorded them): ${goesOn(reading, 'the kernels of that time')}, ${before.id} (${before.description}${native ? ', without the fused kernels' : ''})`);
    return false;
  }
  const match = [true, false].find((fused) => kernelSetOf(backend, native, fused).id === recorded.kernelSet);
  if (match !== undefined) return match;
  const now = kernelSetOf(backend, native, resolveFused());
  warn(`gankit: this run was computed by kernel set ${recorded.kernelSet}, which this gankit does not have; ${goesOn(reading, `${now.id} (${now.description})`)}: ${otherBits(reading)}`);
  return now.fused;
}

/** A recorded run goes on with `kernels`: resumed ('it continues') or only read ('it is read'). */
function goesOn(reading: boolean, kernels: string): string {
  return `${reading ? 'it is read' : 'it continues'} on ${kernels}`;
}

/** What other kernels than a run's own mean: for a resume, other bits; for a run only read, samples and scores that may differ in their last bits. */
function otherBits(reading: boolean): string {
  return reading ? 'samples and scores may differ in the last bits from ones taken with its own kernels' : 'not bit-identical to an uninterrupted run';
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
  refuseWebglInNode(wanted, options.backend !== undefined ? 'backend' : 'GANKIT_BACKEND');
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
  const reading = options.reading === true;
  const mode: NativeMode = recorded ? (recorded.native ? 'on' : 'off') : resolveNativeMode(options.native);
  // The library first: whether it is there decides the wasm thread count.
  const load = wanted === 'wasm' && isNode && mode !== 'off' ? await findNativeBlas() : null;
  if (mode === 'on' && load && !load.blas) {
    if (recorded) warner(options)(`gankit: this run used native BLAS kernels, but ${load.reason}; ${goesOn(reading, 'the wasm kernels')}: ${otherBits(reading)}`);
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
    setFused(recorded ? recordedFused(recorded, warner(options), reading) : resolveFused(options.fused));
    if (recorded?.blas && activeBlas() && activeBlas()!.version !== recorded.blas) {
      warner(options)(`gankit: this run's products ran on ${recorded.blas}; here they run on ${activeBlas()!.version} (another CPU's kernels): ${otherBits(reading)}`);
    }
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
