/**
 * The WebGPU parity suite's Node worker (test/webgpu.parity.test.ts runs it in a child process
 * whose environment points Dawn at a Vulkan driver: Chromium's SwiftShader on a machine without a
 * GPU). Runs every group of ./gpuCases.ts and prints one line per comparison, `PARITY {json}`.
 * `GPU_PARITY_GROUPS=op,objective,train` picks groups; `GPU_PARITY_ONLY=text` cases whose name has it.
 */
import { tf, initEngine } from '../../src/engine/index.js';
import { resolveConfig } from '../../src/train/config.js';
import { createTask } from '../../src/kinds/index.js';
import { runParity } from './gpuCases.js';

const emit = (line: Record<string, unknown>) => process.stdout.write(`PARITY ${JSON.stringify(line)}\n`);

try {
  await initEngine({ backend: 'webgpu', native: 'off' });
} catch (e) {
  emit({ unavailable: (e as Error).message });
  process.exit(0);
}
// The CPU engine is the host here: everything but the device's work runs on tfjs-cpu.
await tf.setBackend('cpu');
await runParity({
  groups: new Set((process.env.GPU_PARITY_GROUPS ?? 'op,objective,train').split(',')),
  only: process.env.GPU_PARITY_ONLY ?? '',
  emit,
  makeTrainer: async (overrides) => {
    const task = await createTask(resolveConfig(overrides), { evaluate: false });
    return { trainer: task.trainer, dispose: () => task.dispose() };
  },
});
