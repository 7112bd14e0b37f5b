/**
 * Backend selection. Order of precedence: the `backend` option, then the GANKIT_BACKEND
 * environment variable, then `wasm`. If the chosen backend cannot start, gankit falls back to
 * `cpu` and says so on stderr (unless `fallback: false`, then it throws).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerSecondOrderGradients } from './gradients.js';
import { InputError } from '../errors.js';
import { registerWasmConv2DBackpropFilter } from './kernels/conv2dBackpropFilter.js';

export const BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface EngineOptions {
  backend?: BackendName | string;
  /** Fall back to cpu when the chosen backend fails to initialise (default true). */
  fallback?: boolean;
  /** Where to report a fallback (default: console.error). */
  warn?: (message: string) => void;
}

export function resolveBackendName(option?: string): BackendName {
  const requested = option ?? process.env.GANKIT_BACKEND ?? 'wasm';
  if (!(BACKENDS as readonly string[]).includes(requested)) {
    const from = option !== undefined ? 'backend option' : 'GANKIT_BACKEND';
    throw new InputError(`${from}: unknown backend '${requested}' (choose one of ${BACKENDS.join(', ')})`);
  }
  return requested as BackendName;
}

async function tryBackend(name: BackendName): Promise<boolean> {
  if (name === 'webgpu') {
    throw new InputError("backend: 'webgpu' is not available yet in this build of gankit (use wasm or cpu)");
  }
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** Selects and initialises the backend; returns the name actually in use. */
export async function initEngine(options: EngineOptions = {}): Promise<BackendName> {
  registerSecondOrderGradients();
  registerWasmConv2DBackpropFilter();
  // tfjs-backend-cpu prints a banner recommending tfjs-node (which cannot be installed here).
  tf.env().set('PROD', true);
  const wanted = resolveBackendName(options.backend);
  if (tf.getBackend() === wanted) return wanted;
  if (await tryBackend(wanted)) {
    await tf.ready();
    return wanted;
  }
  if (options.fallback === false || wanted === 'cpu') {
    throw new Error(`backend '${wanted}' failed to initialise`);
  }
  (options.warn ?? ((m: string) => console.error(m)))(
    `gankit: backend '${wanted}' failed to initialise; falling back to 'cpu'`,
  );
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}
