/**
 * A training device beside the host backend.
 *
 * With `--backend webgpu` the active tfjs backend stays the host one (wasm, else cpu): building
 * the networks, evaluation, pictures, sampling, checkpoints and checksums run there, exactly as on
 * a CPU run, and read values synchronously as they always did. Only the training steps run on the
 * device: the trainer switches to it for each synchronous stretch of a step (`onDevice`) and reads
 * the step's scalars asynchronously in between, while the host is active again. Tensors move
 * between the two by tfjs's own data mover, on first use: a variable updated on the device moves
 * to the host when host code reads it, and back on the next step.
 *
 * The mover reads the device synchronously, which WebGPU cannot do in Node (tfjs-webgpu 4.22
 * draws into an OffscreenCanvas, which Node lacks; in a page it works, slowly). So host code that
 * will touch device tensors first fetches them (`fetchToHost`): an asynchronous read whose values
 * the backend keeps, which the mover then takes without touching the GPU. A synchronous read of
 * anything not fetched is an error that says so (`guardSyncReads`), not an OffscreenCanvas one.
 */
import { tf } from './tfjs.js';

let device: string | null = null;

/** The backend training steps run on, or null: they run on the active (host) backend. */
export function deviceBackend(): string | null {
  return device;
}

/** Sets (or clears) the device; the backend must be registered and initialised. */
export function setDevice(name: string | null): void {
  if (name !== null && !tf.engine().registry[name]) throw new Error(`device '${name}' is not initialised`);
  device = name;
}

/**
 * Makes `name` the active backend now. tfjs's setBackend is async, but for a backend that is
 * already initialised all its work happens before it returns its promise; checked.
 */
function activate(name: string): void {
  if (tf.getBackend() === name) return;
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`gankit: could not switch to backend '${name}'`);
}

/**
 * Host time spent issuing device work: milliseconds inside onDevice (the tape, kernel dispatch,
 * the backend's and the driver's calls; not the wait for results), and how many stretches.
 */
export const deviceStats = { ms: 0, stretches: 0 };

/** Runs synchronous work with the device active (the host again afterwards, even on error). */
export function onDevice<T>(work: () => T): T {
  if (device === null) return work();
  const host = tf.getBackend();
  const started = performance.now();
  activate(device);
  try {
    return work();
  } finally {
    activate(host);
    deviceStats.ms += performance.now() - started;
    deviceStats.stretches++;
  }
}

interface TensorInfoLike {
  backend: { readSync?: unknown };
}

/** Whether a tensor's data lies on the device now (and not yet fetched). */
function onDeviceBackend(t: tf.Tensor): boolean {
  if (device === null || t.isDisposed) return false;
  const info = (tf.engine().state as unknown as { tensorInfo: WeakMap<object, TensorInfoLike> }).tensorInfo.get(t.dataId);
  return info !== undefined && info.backend === tf.engine().registry[device];
}

/**
 * Reads the tensors that lie on the device, asynchronously and all at once, so that host code can
 * then use them (the data mover takes the fetched values). No-op without a device.
 */
export async function fetchToHost(tensors: readonly tf.Tensor[]): Promise<void> {
  const there = tensors.filter(onDeviceBackend);
  await Promise.all(there.map((t) => t.data()));
}

interface ReadSyncBackend {
  readSync(dataId: object): unknown;
  tensorMap: { get(dataId: object): { values?: unknown; dtype?: string } | undefined };
  gankitGuarded?: boolean;
}

/**
 * Replaces a backend's synchronous read of data not yet fetched by a clear error (Node's WebGPU:
 * tfjs-webgpu's readSync needs an OffscreenCanvas). Reads of fetched data go through.
 */
export function guardSyncReads(backendName: string): void {
  const backend = tf.engine().registry[backendName] as unknown as ReadSyncBackend | undefined;
  if (!backend || backend.gankitGuarded) return;
  const stock = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    const data = backend.tensorMap.get(dataId);
    if (data && (data.values != null || data.dtype === 'string')) return stock(dataId);
    throw new Error(
      `gankit: a synchronous read of ${backendName} data (dataSync, arraySync or a move to another backend) that was not fetched first; ` +
        `${backendName} in Node reads asynchronously only (await tensor.data(), or fetchToHost before host work)`,
    );
  };
  backend.gankitGuarded = true;
}
