/** `gankit info`: what the engine runs on here — backend, wasm threads, the native BLAS library or why there is none. */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { engineState, initEngine, installHint, threadPolicy } from '../../engine/index.js';
import type { Workload } from '../../engine/index.js';
import { parse, UsageError } from '../args.js';
import type { Command } from '../command.js';

const WORKLOADS: Workload[] = ['points', 'images'];

export const info: Command = {
  name: 'info',
  summary: 'backend, threads and native BLAS library on this machine',
  help: () => `Usage: gankit info [--workload points|images] [--native auto|on|off] [--json]

Starts the engine as a run of that workload would (default images) and prints the backend,
the wasm threads, the native BLAS library found (path, version, threads) or why none was, the
kernel set (the id a run records in config.json, and what it stands for) and the thread policy for
each workload on this machine's cores. Honours GANKIT_BACKEND, GANKIT_NATIVE, GANKIT_FUSED,
GANKIT_THREADS, GANKIT_BLAS_THREADS and GANKIT_BLAS_LIBRARY.`,

  async run(argv) {
    const values = parse(argv, { workload: { type: 'string' }, native: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' } });
    const workload = (values.workload ?? 'images') as Workload;
    if (!WORKLOADS.includes(workload)) throw new UsageError(`--workload: expected points or images, got '${String(values.workload)}'`);
    await initEngine({ backend: values.backend as string | undefined, workload, native: values.native as string | undefined });
    const state = engineState();
    const require = createRequire(import.meta.url);
    const version = (name: string): string => {
      try {
        return (require(`${name}/package.json`) as { version: string }).version;
      } catch {
        return 'not installed';
      }
    };
    const cores = availableParallelism();
    const policies = Object.fromEntries(WORKLOADS.map((w) => [w, threadPolicy(w, state.native !== null, cores)]));
    const report = { ...state, workload, cores, node: process.version, tfjs: version('@tensorflow/tfjs'), koffi: version('koffi'), policy: policies };
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    const lines = [
      `backend      ${state.backend} (tfjs ${report.tfjs}, Node ${report.node}, ${cores} cores)`,
      ...(state.device ? [`device       training steps on ${state.device.backend}: ${state.device.adapter} (Dawn, the npm package webgpu ${version('webgpu')}); everything else on ${state.backend}`] : []),
      `wasm threads ${state.wasmThreads || '-'}`,
      state.native
        ? `native BLAS  ${state.native.path}: ${state.native.version}, ${state.native.threads} thread(s)`
        : `native BLAS  none: ${state.nativeOff}${/turned off|backend/.test(state.nativeOff ?? '') ? '' : ` — to get it: ${installHint()}`}`,
      `kernel set   ${state.kernels.id} (${state.kernels.description}${state.native && !state.kernels.fused ? '; fused kernels off' : ''})`,
      `policy       ${WORKLOADS.map((w) => `${w}: wasm ${policies[w].wasmThreads} + BLAS ${state.native ? policies[w].blasThreads : '-'}`).join('; ')} (${cores} cores: ${state.native ? 'BLAS on every core for images, one for 2-D; one wasm thread' : 'XNNPACK on every core up to 8 for images, one for 2-D'})`,
    ];
    console.log(lines.join('\n'));
    return 0;
  },
};
