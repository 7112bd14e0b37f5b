/**
 * `npm run bench`: training-step speed of gankit against the same models in PyTorch, measured in
 * one run on the same machine (not a test). A step is one D update and one G update (Adam, n_critic
 * 1) through gankit's Trainer:
 *   mlp2d     2-D MLP GAN (3×64 ReLU), batch 256, non-saturating loss, ring8
 *   lucic_ns  the InfoGAN/Lucic 28×28 G and D, batch 64, non-saturating loss, Fashion-MNIST
 *   lucic_gp  the same with WGAN-GP (critic without batch norm, λ 10: double backprop)
 *   dcgan28   the standard DCGAN 28×28 (--arch dcgan28), batch 64, non-saturating loss
 * Every gankit case runs twice per round: with the native BLAS kernels (when a library is found)
 * and wasm-only (GANKIT_NATIVE=0), each against PyTorch measured in the same round. PyTorch gets the
 * OpenBLAS kernel family gankit picks (OPENBLAS_CORETYPE, see src/engine/native/blas.ts): both call
 * the same library, and on a CPU it does not recognise it would otherwise fall to SSE3 kernels.
 * The PyTorch side (bench/torch_ref.py) runs only if `python3 -c 'import torch'` works; otherwise
 * its column says why. Prints ms/step (median, min, max) and gankit/PyTorch, writes bench/results.json
 * with a per-kernel profile of one gankit step for each case.
 *
 * Each gankit case runs in its own process, so each gets the engine's default thread count for its
 * workload (one thread for the 2-D MLP, every core up to 4 for images; --gankit-threads overrides).
 *
 *   npm run bench -- [--rounds 3] [--steps 10] [--warmup 2] [--threads N] [--gankit-threads N] [--backend wasm|cpu|webgpu]
 *                    [--cases mlp2d,lucic_ns,lucic_gp,dcgan28] [--no-torch] [--no-native] [--no-wasm]
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tf, initEngine, wasmThreads, activeBlas, findNativeBlas, deviceBackend } from '../src/engine/index.js';
import { openblasCoreType } from '../src/engine/native/blas.js';
import { resolveConfig } from '../src/train/config.js';
import type { Trainer } from '../src/train/trainer.js';
import { pointsTrainer } from '../src/kinds/points/trainer.js';
import { ImageTask } from '../src/kinds/images/task.js';
import { median } from '../src/study/stats.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    /** PyTorch threads (default: every core, as the reference numbers in the speed issue). */
    threads: { type: 'string', default: String(cpus().length) },
    'gankit-threads': { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    'no-torch': { type: 'boolean', default: false },
    'no-native': { type: 'boolean', default: false },
    'no-wasm': { type: 'boolean', default: false },
    /** Internal: run one gankit case in this process and print its result as JSON. */
    child: { type: 'string' },
    cases: { type: 'string', default: 'mlp2d,lucic_ns,lucic_gp,dcgan28' },
    out: { type: 'string', default: fileURLToPath(new URL('../../bench/results.json', import.meta.url)) },
  },
});
const steps = Number(values.steps);
const rounds = Math.max(1, Number(values.rounds));
const warmup = Number(values.warmup);
const cases = values.cases!.split(',');

const MLP_SCALE = 50;

interface Timing {
  median: number;
  min: number;
  max: number;
}
const summarise = (ms: number[]): Timing => ({ median: median(ms), min: Math.min(...ms), max: Math.max(...ms) });

async function trainerFor(name: string): Promise<{ trainer: Trainer; dispose: () => void }> {
  if (name === 'mlp2d') {
    const { trainer } = pointsTrainer(resolveConfig({ loss: 'ns', data: { name: 'ring8' }, batchSize: 256, nCritic: 1, optimizerD: { name: 'adam', lr: 2e-4 }, optimizerG: { name: 'adam', lr: 2e-4 } }));
    return { trainer, dispose: () => trainer.dispose() };
  }
  const loss = name === 'lucic_gp' ? 'wgan-gp' : 'ns';
  const arch = name === 'dcgan28' ? 'dcgan28' : 'lucic28';
  const task = await ImageTask.create(resolveConfig({ loss, data: { name: 'fashion-mnist' }, model: { arch }, batchSize: 64, nCritic: 1 }), { evaluate: false });
  return { trainer: task.trainer, dispose: () => task.dispose() };
}

async function gankitCase(name: string): Promise<{ ms: number[]; profile: Array<[string, number]> }> {
  const { trainer, dispose } = await trainerFor(name);
  // The 2-D steps are ~1000× cheaper and need a long JIT warm-up: MLP_SCALE times as many
  // (bench/torch_ref.py does too).
  const scale = name === 'mlp2d' ? MLP_SCALE : 1;
  // With a device (webgpu) a step runs there and its losses are read asynchronously, every step
  // (src/engine/device.ts); elsewhere trainStepAsync is trainStep.
  for (let i = 0; i < warmup * scale; i++) await trainer.trainStepAsync();
  const ms: number[] = [];
  for (let i = 0; i < steps * scale; i++) {
    const t = performance.now();
    await trainer.trainStepAsync();
    ms.push(performance.now() - t);
  }
  // One profiled step (kernel times), on the CPU engine only: tf.profile runs a synchronous step.
  const byKernel = new Map<string, number>();
  if (deviceBackend()) {
    dispose();
    return { ms, profile: [] };
  }
  try {
    const info = await tf.profile(() => {
      trainer.trainStep();
    });
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
    }
  } catch (e) {
    process.stderr.write(`gankit ${name}: no kernel profile (${(e as Error).message})\n`);
  }
  dispose();
  return { ms, profile: [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10) };
}

/** The first Python with torch: $GANKIT_PYTHON, python3 on PATH, Debian's /usr/bin/python3. */
function findPython(): { python: string | null; why: string } {
  const candidates = [process.env.GANKIT_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  let why = '';
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, why: '' };
    why += `${python}: ${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}; `;
  }
  return { python: null, why };
}

function torchReference(): { cases: Record<string, number[]>; note: string } | { cases: null; note: string } {
  const { python, why } = findPython();
  if (!python) return { cases: null, note: `PyTorch not available (${why}install Debian's python3-torch and libopenblas0-pthread)` };
  const script = fileURLToPath(new URL('../../bench/torch_ref.py', import.meta.url));
  const env = { ...process.env, GANKIT_TORCH_CASES: cases.join(','), ...(coreType && !process.env.OPENBLAS_CORETYPE ? { OPENBLAS_CORETYPE: coreType } : {}) };
  const r = spawnSync(python, [script, String(warmup), String(steps), values.threads!], { encoding: 'utf8', maxBuffer: 1 << 24, env });
  if (r.status !== 0) return { cases: null, note: `bench/torch_ref.py failed: ${r.stderr.trim().split('\n').pop()}` };
  const out = JSON.parse(r.stdout) as { torch: string; device?: string; threads: number; blas: string; cases: Record<string, number[]> };
  const where = out.device && out.device !== 'cpu' ? `on ${out.device}` : `${out.threads} thread(s), BLAS ${out.blas}`;
  return { cases: out.cases, note: `PyTorch ${out.torch}, ${where}` };
}

interface ChildResult {
  ms: number[];
  profile: Array<[string, number]>;
  backend: string;
  threads: number;
  /** "OpenBLAS 0.3.21 (core SkylakeX), 2 thread(s)" or null (wasm kernels only). */
  native: string | null;
}

let coreType: string | null = null;

/** The two ways gankit runs: with the native kernels, and wasm-only. */
type Mode = 'native' | 'wasm';

async function child(name: string): Promise<void> {
  await initEngine({ backend: values.backend, fallback: false, threads: values['gankit-threads'], workload: name === 'mlp2d' ? 'points' : 'images' });
  const g = await gankitCase(name);
  const blas = activeBlas();
  const out: ChildResult = { ...g, backend: deviceBackend() ?? tf.getBackend(), threads: tf.getBackend() === 'wasm' ? wasmThreads() : 0, native: blas ? `${blas.version}, ${blas.threads()} thread(s)` : null };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function runChild(name: string, mode: Mode): ChildResult {
  const args = [fileURLToPath(import.meta.url), '--child', name, '--steps', String(steps), '--warmup', String(warmup), '--backend', values.backend!];
  if (values['gankit-threads']) args.push('--gankit-threads', values['gankit-threads']);
  const env = { ...process.env, GANKIT_NATIVE: mode === 'native' ? 'on' : 'off' };
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24, env });
  if (r.status !== 0) throw new Error(`gankit case ${name} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

async function main() {
  if (values.child) return child(values.child);
  const modes: Mode[] = [];
  const found = await findNativeBlas();
  if (!values['no-native'] && values.backend === 'wasm') {
    if (found.blas) modes.push('native');
    else process.stderr.write(`no native column: ${found.reason}\n`);
  }
  if (!values['no-wasm'] || modes.length === 0) modes.push('wasm');
  coreType = process.env.OPENBLAS_CORETYPE ?? (await openblasCoreType());
  // Rounds alternate PyTorch and gankit so that a slow spell of a shared machine hits both; the
  // step times of all rounds are pooled.
  const gankitMs: Record<Mode, Record<string, number[]>> = { native: {}, wasm: {} };
  const torchMs: Record<string, number[]> = {};
  const last: Record<Mode, Record<string, ChildResult>> = { native: {}, wasm: {} };
  let torch: ReturnType<typeof torchReference> = { cases: null, note: 'PyTorch skipped (--no-torch)' };
  for (let round = 0; round < rounds; round++) {
    if (!values['no-torch']) {
      process.stderr.write(`PyTorch (round ${round + 1}/${rounds})…\n`);
      torch = torchReference();
      for (const [k, v] of Object.entries(torch.cases ?? {})) (torchMs[k] ??= []).push(...v);
    }
    for (const name of cases) {
      for (const mode of modes) {
        process.stderr.write(`gankit ${name}, ${mode} (round ${round + 1}/${rounds})…\n`);
        last[mode][name] = runChild(name, mode);
        (gankitMs[mode][name] ??= []).push(...last[mode][name].ms);
      }
    }
  }
  const backend = Object.values(last[modes[0]])[0]?.backend ?? values.backend!;
  type Column = { gankit: Timing; ratio: number | null; profile: Array<[string, number]>; threads: number; native: string | null };
  const results: Record<string, { torch: Timing | null } & Partial<Record<Mode, Column>>> = {};
  for (const name of cases) {
    const t = torchMs[name]?.length ? summarise(torchMs[name]) : null;
    results[name] = { torch: t };
    for (const mode of modes) {
      const g = summarise(gankitMs[mode][name]);
      const r = last[mode][name];
      results[name][mode] = { gankit: g, ratio: t ? g.median / t.median : null, profile: r.profile, threads: r.threads, native: r.native };
    }
  }
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const cell = (c: Column | undefined) => (c ? `${f(c.gankit.median)} (${f(c.gankit.min)}–${f(c.gankit.max)})` : 'n/a');
  const ratio = (c: Column | undefined) => (c?.ratio ? `${c.ratio.toFixed(2)}×` : 'n/a');
  const nativeNote = Object.values(last.native)[0]?.native;
  const lines = [
    `| case | gankit native ms/step (median, min–max) | gankit wasm-only ms/step | PyTorch ms/step | native / PyTorch | wasm-only / PyTorch |`,
    `|---|---|---|---|---|---|`,
    ...Object.entries(results).map(([k, r]) => `| ${k} | ${cell(r.native)} | ${cell(r.wasm)} | ${r.torch ? `${f(r.torch.median)} (${f(r.torch.min)}–${f(r.torch.max)})` : 'n/a'} | ${ratio(r.native)} | ${ratio(r.wasm)} |`),
    ``,
    `gankit on tfjs-${backend}; native: ${nativeNote ?? (modes.includes('native') ? '?' : 'none')} (wasm threads ${Object.entries(last.native).map(([k, r]) => `${k} ${r.threads}`).join(', ') || '-'}); wasm-only threads ${Object.entries(last.wasm).map(([k, r]) => `${k} ${r.threads}`).join(', ') || '-'}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); ${torch.note}; ${rounds} round(s) of ${steps} timed steps after ${warmup} warm-up (2-D: ×${MLP_SCALE}); a step = one D and one G Adam update.`,
  ];
  console.log(lines.join('\n'));
  for (const [k, r] of Object.entries(results)) {
    for (const mode of modes) console.log(`  ${k} ${mode} kernels (ms in one step): ${r[mode]!.profile.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}`);
  }
  writeFileSync(values.out!, JSON.stringify({ date: new Date().toISOString(), backend, cores: cpus().length, rounds, steps, warmup, torch: torch.note, native: nativeNote ?? null, results }, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
