/**
 * The WebGPU parity suite in a page (test/webgpu.parity.test.ts bundles this with esbuild and
 * opens it in headless Chromium, whose WebGPU runs on SwiftShader): the op cases and the 2-D
 * objectives of ./gpuCases.ts, on the page's WebGPU against tfjs-cpu, the same code the Node
 * worker runs. `window.gpuParity(groups, only)` resolves to the lines.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tf, initEngine } from '../../src/engine/index.js';
import { resolveConfig } from '../../src/train/config.js';
import { pointsTrainer } from '../../src/kinds/points/trainer.js';
import { runParity } from './gpuCases.js';

setWasmPaths('/wasm/');

(window as unknown as { gpuParity: (groups: string[], only: string) => Promise<Array<Record<string, unknown>>> }).gpuParity = async (groups, only) => {
  const lines: Array<Record<string, unknown>> = [];
  try {
    await initEngine({ backend: 'webgpu' });
  } catch (e) {
    return [{ unavailable: (e as Error).message }];
  }
  await tf.setBackend('cpu');
  await runParity({
    groups: new Set(groups),
    only,
    emit: (line) => lines.push(line),
    makeTrainer: async (overrides) => {
      const { trainer } = pointsTrainer(resolveConfig(overrides));
      return { trainer, dispose: () => trainer.dispose() };
    },
    pointsOnly: true,
  });
  return lines;
};
