/**
 * Load-independent measures of a bench case (bench/cases.ts), for a shared machine where step
 * times mean nothing: what one step computes (multiply-accumulates from the products' shapes),
 * how many kernels it dispatches, and the elements the other kernels read and write — and,
 * under valgrind, instruction counts:
 *
 *   node dist/bench/count.js --case dcgan28 [--warmup 2] [--steps 0] [--profile]
 *   bench/callgrind.sh dcgan28        # instructions per step: (warm-up + 2 steps) − (warm-up)
 *
 * --profile prints one JSON line: per kernel name, the dispatches and elements (inputs + outputs)
 * of one step (the step after the warm-up), the step's GMAC, and the kernel set.
 */
import { parseArgs } from 'node:util';
import * as engine from '../src/engine/index.js';
import { tf, initEngine } from '../src/engine/index.js';
import { trainerFor, macsOf, isScope } from './cases.js';
import type { ProfiledKernel } from './cases.js';

const { values } = parseArgs({
  options: {
    case: { type: 'string', default: 'dcgan28' },
    warmup: { type: 'string', default: '2' },
    steps: { type: 'string', default: '0' },
    profile: { type: 'boolean', default: false },
  },
});
const name = values.case!;
await initEngine({ backend: 'wasm', fallback: false, workload: name === 'mlp2d' ? 'points' : 'images' });
const { trainer, dispose } = await trainerFor(name);
for (let i = 0; i < Number(values.warmup); i++) trainer.trainStep();
// Markers for callgrind (--dump-before=getppid: process.ppid calls getppid(2), which nothing else
// here calls): the counts between the two dumps are the timed steps' alone.
void process.ppid;
for (let i = 0; i < Number(values.steps); i++) trainer.trainStep();
void process.ppid;
if (values.profile) {
  const info = await tf.profile(() => {
    trainer.trainStep();
  });
  const kernels: Record<string, { count: number; elements: number; gmac: number }> = {};
  let macs = 0;
  let dispatches = 0;
  const size = (s: number[] | null) => (s ? s.reduce((a, b) => a * b, 1) : 0);
  for (const k of info.kernels as unknown as ProfiledKernel[]) {
    if (isScope(k.name)) continue;
    const e = (kernels[k.name] ??= { count: 0, elements: 0, gmac: 0 });
    e.count++;
    dispatches++;
    e.elements += k.inputShapes.reduce((s, x) => s + size(x), 0) + k.outputShapes.reduce((s, x) => s + size(x), 0);
    const m = macsOf(k);
    e.gmac += m / 1e9;
    macs += m;
  }
  const sorted = Object.fromEntries(Object.entries(kernels).sort((a, b) => b[1].elements - a[1].elements));
  process.stdout.write(JSON.stringify({ case: name, kernelSet: (engine as { kernelSet?: () => { id: string } }).kernelSet?.().id ?? '(before ids)', gmac: macs / 1e9, dispatches, kernels: sorted }) + '\n');
}
dispose();
