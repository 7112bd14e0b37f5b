/**
 * `npm run bench:gpu-kernels`: what a training step costs the host on gankit's webgpu path —
 * kernels dispatched, command-buffer submits, bind groups, uniform writes and buffers created per
 * D+G step, and the host's milliseconds per step and per dispatch (the synchronous work of issuing
 * the step: tfjs's tape, kernel lookup, shader keys, uniforms, Dawn's calls; the wait for the
 * GPU's results is not in it), and the part of it outside Dawn's calls (tfjs and gankit: on
 * SwiftShader some of Dawn's calls wait for the emulated GPU, so the JavaScript part is the
 * measure that carries over to a GPU). A benchmark line, not a timed test. Runs on any WebGPU adapter;
 * without a GPU on Chromium's SwiftShader (docs/gpu.md), where the wall time is the CPU
 * emulating the GPU and says nothing about a GPU: it is printed but is not a GPU number.
 *
 * Cases (one D and one G update, Adam, n_critic 1, as `npm run bench`):
 *   mlp2d      2-D MLP GAN (3×64 ReLU), non-saturating loss
 *   dcgan28    DCGAN 28×28, non-saturating loss
 *   dcgan28_gp DCGAN 28×28, WGAN-GP (critic without batch norm, double backprop)
 * Kernel counts do not depend on the batch size, so the default batches are small (SwiftShader
 * is slow): --batch N sets them all.
 *
 *   npm run bench:gpu-kernels -- [--cases mlp2d,dcgan28,dcgan28_gp] [--steps 2] [--batch N] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tf, initEngine, engineState, deviceStats } from '../../src/engine/index.js';
import { resolveConfig } from '../../src/train/config.js';
import type { Trainer } from '../../src/train/trainer.js';
import { pointsTrainer } from '../../src/kinds/points/trainer.js';
import { ImageTask } from '../../src/kinds/images/task.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: 'mlp2d,dcgan28,dcgan28_gp' },
    steps: { type: 'string', default: '2' },
    batch: { type: 'string' },
    json: { type: 'string' },
  },
});

async function trainerFor(name: string): Promise<{ trainer: Trainer; dispose: () => void }> {
  const batch = values.batch ? Number(values.batch) : undefined;
  if (name === 'mlp2d') {
    const config = resolveConfig({ loss: 'ns', data: { name: 'ring8' }, batchSize: batch ?? 64, nCritic: 1, optimizerD: { name: 'adam', lr: 2e-4 }, optimizerG: { name: 'adam', lr: 2e-4 }, backend: 'webgpu' });
    const { trainer } = pointsTrainer(config);
    return { trainer, dispose: () => trainer.dispose() };
  }
  const loss = name === 'dcgan28_gp' ? 'wgan-gp' : 'ns';
  const task = await ImageTask.create(resolveConfig({ loss, data: { name: 'mnist' }, model: { arch: 'dcgan28' }, batchSize: batch ?? 4, nCritic: 1, backend: 'webgpu' }), { evaluate: false });
  return { trainer: task.trainer, dispose: () => task.dispose() };
}

/** Counts calls of Dawn's methods (the WebGPU classes are globals once the device started). */
const COUNTED: Array<[string, string, string]> = [
  ['GPUComputePassEncoder', 'dispatchWorkgroups', 'dispatches'],
  ['GPUQueue', 'submit', 'submits'],
  ['GPUDevice', 'createBindGroup', 'bindGroups'],
  ['GPUQueue', 'writeBuffer', 'writeBuffers'],
  ['GPUDevice', 'createBuffer', 'buffers'],
  ['GPUDevice', 'createComputePipeline', 'pipelines'],
];
const counts: Record<string, number> = {};
/** Milliseconds inside the counted Dawn calls (on SwiftShader some wait for the emulated GPU). */
let dawnMs = 0;
function instrument(): void {
  for (const [cls, method, key] of COUNTED) {
    const proto = (globalThis as unknown as Record<string, { prototype: Record<string, (...a: unknown[]) => unknown> } | undefined>)[cls]?.prototype;
    if (!proto) throw new Error(`${cls} is not a global: no WebGPU device?`);
    const original = proto[method];
    proto[method] = function (this: unknown, ...args: unknown[]) {
      counts[key] = (counts[key] ?? 0) + 1;
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        dawnMs += performance.now() - started;
      }
    };
  }
}

interface Row {
  case: string;
  batch: number;
  dispatches: number;
  submits: number;
  bindGroups: number;
  writeBuffers: number;
  buffers: number;
  pipelines: number;
  hostMsPerStep: number;
  /** Of the host time, outside Dawn's calls: tfjs and gankit. */
  jsMsPerStep: number;
  jsUsPerDispatch: number;
  hostUsPerDispatch: number;
  wallMsPerStep: number;
  tensorsFlat: boolean;
}

async function measure(name: string, steps: number): Promise<Row> {
  const { trainer, dispose } = await trainerFor(name);
  // Warm-up: compiles the pipelines and lets the buffer pools fill.
  await trainer.trainStepAsync();
  const tensors = tf.memory().numTensors;
  for (const key of Object.keys(counts)) counts[key] = 0;
  const hostBefore = deviceStats.ms;
  const dawnBefore = dawnMs;
  const started = performance.now();
  for (let i = 0; i < steps; i++) await trainer.trainStepAsync();
  const wall = (performance.now() - started) / steps;
  const host = (deviceStats.ms - hostBefore) / steps;
  const js = host - (dawnMs - dawnBefore) / steps;
  const per = (k: string) => Math.round((counts[k] ?? 0) / steps);
  const row: Row = {
    case: name,
    batch: trainer.config.batchSize,
    dispatches: per('dispatches'),
    submits: per('submits'),
    bindGroups: per('bindGroups'),
    writeBuffers: per('writeBuffers'),
    buffers: per('buffers'),
    pipelines: counts.pipelines ?? 0,
    hostMsPerStep: Number(host.toFixed(1)),
    jsMsPerStep: Number(js.toFixed(1)),
    jsUsPerDispatch: Number(((1000 * js) / Math.max(1, per('dispatches'))).toFixed(1)),
    hostUsPerDispatch: Number(((1000 * host) / Math.max(1, per('dispatches'))).toFixed(1)),
    wallMsPerStep: Math.round(wall),
    tensorsFlat: tf.memory().numTensors === tensors,
  };
  dispose();
  return row;
}

async function main(): Promise<void> {
  await initEngine({ backend: 'webgpu', native: 'off' });
  instrument();
  const state = engineState();
  const adapter = state.device?.adapter ?? 'unknown adapter';
  const rows: Row[] = [];
  console.log(`gankit webgpu kernels per D+G step — adapter: ${adapter}; host backend ${state.backend}`);
  console.log('case          batch  dispatches  submits  bindGroups  writeBuffer  newBuffers  host ms/step  host µs/dispatch  of which JS µs/dispatch  wall ms/step');
  for (const name of values.cases!.split(',')) {
    const r = await measure(name, Number(values.steps));
    rows.push(r);
    console.log(
      `${r.case.padEnd(13)} ${String(r.batch).padStart(5)}  ${String(r.dispatches).padStart(10)}  ${String(r.submits).padStart(7)}  ${String(r.bindGroups).padStart(10)}  ${String(r.writeBuffers).padStart(11)}  ${String(r.buffers).padStart(10)}  ${r.hostMsPerStep.toFixed(1).padStart(12)}  ${r.hostUsPerDispatch.toFixed(1).padStart(16)}  ${r.jsUsPerDispatch.toFixed(1).padStart(23)}  ${String(r.wallMsPerStep).padStart(12)}${r.tensorsFlat ? '' : '  (tensor count grew!)'}${r.pipelines ? `  (${r.pipelines} pipelines compiled while measured)` : ''}`,
    );
  }
  if (/swiftshader/i.test(adapter)) console.log('SwiftShader emulates the GPU on the CPU: the wall times are not GPU numbers; the counts and host times are the path\'s own.');
  if (values.json) writeFileSync(values.json, JSON.stringify({ adapter, date: new Date().toISOString(), rows }, null, 2) + '\n');
}

await main();
