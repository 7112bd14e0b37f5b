/**
 * `npm run bench`: training-step speed of gankit against the same models in PyTorch, measured in
 * one run on the same machine (not a test). A step is one D update and one G update (Adam, n_critic
 * 1) through gankit's Trainer; the cases are in bench/cases.ts (mlp2d, lucic_ns, lucic_gp, dcgan28).
 * Every gankit case runs twice per round: with the native BLAS kernels (when a library is found)
 * and wasm-only (GANKIT_NATIVE=0), each against PyTorch measured in the same round. PyTorch gets the
 * OpenBLAS kernel family gankit picks (OPENBLAS_CORETYPE, see src/engine/native/blas.ts): both call
 * the same library, and on a CPU it does not recognise it would otherwise fall to SSE3 kernels.
 * The PyTorch side (bench/torch_ref.py) runs only if `python3 -c 'import torch'` works; otherwise
 * its column says why.
 *
 * Prints, per case: ms/step (median, min, max) of each side and gankit/PyTorch; the arithmetic of a
 * step (GMAC, from the shapes of the products and convolutions one profiled step ran) and the rate
 * each side reaches (GMAC/s), against the FMA bound of the cores the native column uses
 * (cores × clock × MAC per cycle per core: 2 FMA units × the float lanes of the vector width
 * OpenBLAS's kernels use — 16 with AVX-512, 8 with AVX2 — unless --macs-per-cycle/--ghz say
 * otherwise); the processor; and the kernel set each gankit column ran (gankit info). Writes
 * bench/results.json with a per-kernel profile of one gankit step for each case.
 *
 * Each gankit case runs in its own process with the engine's thread policy for the cores given
 * (--threads, default every core: the native column runs BLAS on all of them, the wasm-only column
 * XNNPACK on up to 8); PyTorch gets the same count. --gankit-threads and --blas-threads override
 * gankit's side; --fused off runs the native column on the native kernel set without the fused
 * kernels (as before kernel sets).
 *
 *   npm run bench -- [--rounds 3] [--steps 10] [--warmup 2] [--threads N] [--gankit-threads N] [--blas-threads N]
 *                    [--fused on|off] [--backend wasm|cpu|webgpu] [--cases mlp2d,lucic_ns,lucic_gp,dcgan28]
 *                    [--no-torch] [--no-native] [--no-wasm] [--ghz G] [--macs-per-cycle M]
 * On a machine with 8 or 16 cores: npm run bench -- --threads 8 (or 16), and the default for all.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tf, initEngine, wasmThreads, activeBlas, findNativeBlas, kernelSet, deviceBackend } from '../src/engine/index.js';
import { openblasCoreType } from '../src/engine/native/blas.js';
import { median } from '../src/study/stats.js';
import { trainerFor, macsOf, isScope, MLP_SCALE } from './cases.js';
import type { ProfiledKernel } from './cases.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    /** Cores each side uses (default: every core): PyTorch's threads, gankit's thread policy. */
    threads: { type: 'string', default: String(cpus().length) },
    'gankit-threads': { type: 'string' },
    'blas-threads': { type: 'string' },
    fused: { type: 'string' },
    ghz: { type: 'string' },
    'macs-per-cycle': { type: 'string' },
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

interface Timing {
  median: number;
  min: number;
  max: number;
}
const summarise = (ms: number[]): Timing => ({ median: median(ms), min: Math.min(...ms), max: Math.max(...ms) });

interface CaseRun {
  ms: number[];
  profile: Array<[string, number]>;
  /** Multiply-accumulates of one step (products and convolutions, from the profiled step's shapes). */
  gmac: number;
  /** Kernels one step dispatches. */
  dispatches: number;
}

async function gankitCase(name: string): Promise<CaseRun> {
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
  // Scopes (customGrad's forward: "unnamed scope") are left out: their time is their kernels'.
  const byKernel = new Map<string, number>();
  let macs = 0;
  let dispatches = 0;
  if (deviceBackend()) {
    dispose();
    return { ms, profile: [], gmac: 0, dispatches: 0 };
  }
  try {
    const info = await tf.profile(() => {
      trainer.trainStep();
    });
    for (const k of info.kernels as unknown as ProfiledKernel[]) {
      if (isScope(k.name)) continue;
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
      macs += macsOf(k);
      dispatches++;
    }
  } catch (e) {
    process.stderr.write(`gankit ${name}: no kernel profile (${(e as Error).message})\n`);
  }
  dispose();
  return { ms, profile: [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10), gmac: macs / 1e9, dispatches };
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

interface ChildResult extends CaseRun {
  backend: string;
  threads: number;
  /** "OpenBLAS 0.3.21 (core SkylakeX), 2 thread(s)" or null (wasm kernels only). */
  native: string | null;
  /** The library alone, "OpenBLAS 0.3.21 (core SkylakeX)", or null; its threads are per case (`cores`). */
  blas: string | null;
  /** BLAS threads (native) or wasm threads (wasm-only): the cores the column computes on. */
  cores: number;
  kernelSet: { id: string; description: string };
}

let coreType: string | null = null;

/** The two ways gankit runs: with the native kernels, and wasm-only. */
type Mode = 'native' | 'wasm';

async function child(name: string): Promise<void> {
  await initEngine({ backend: values.backend, fallback: false, threads: values['gankit-threads'], blasThreads: values['blas-threads'], cores: Number(values.threads), fused: values.fused, workload: name === 'mlp2d' ? 'points' : 'images' });
  const g = await gankitCase(name);
  const blas = activeBlas();
  const threads = tf.getBackend() === 'wasm' ? wasmThreads() : 0;
  const { id, description } = kernelSet();
  const out: ChildResult = { ...g, backend: deviceBackend() ?? tf.getBackend(), threads, native: blas ? `${blas.version}, ${blas.threads()} thread(s)` : null, blas: blas ? blas.version : null, cores: blas ? blas.threads() : Math.max(1, threads), kernelSet: { id, description } };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** The processor, its clock and the FMA bound of one core (MAC per second), with what it assumes. */
function processor(): { name: string; ghz: number; macsPerCycle: number; note: string } {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: the name from Node, no flags
  }
  const field = (key: string) => cpuinfo.split('\n').find((l) => l.startsWith(key))?.split(':')[1]?.trim();
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  const name = `${field('model name') ?? cpus()[0]?.model ?? 'unknown'}${field('cpu family') ? ` (family ${field('cpu family')}, model ${field('model')})` : ''}`;
  const ghz = Number(values.ghz ?? (Number(field('cpu MHz') ?? cpus()[0]?.speed ?? 0) / 1000));
  const width = flags.has('avx512f') ? 16 : flags.has('avx2') && flags.has('fma') ? 8 : 4;
  const macsPerCycle = Number(values['macs-per-cycle'] ?? 2 * width);
  const note = values['macs-per-cycle'] ? `${macsPerCycle} MAC/cycle (given)` : `${macsPerCycle} MAC/cycle/core (2 FMA units × ${width} float lanes: ${width === 16 ? 'AVX-512' : width === 8 ? 'AVX2' : 'SSE'}; a core with one 512-bit FMA unit has half)`;
  return { name, ghz, macsPerCycle, note };
}

function runChild(name: string, mode: Mode): ChildResult {
  const args = [fileURLToPath(import.meta.url), '--child', name, '--steps', String(steps), '--warmup', String(warmup), '--backend', values.backend!, '--threads', values.threads!];
  for (const option of ['gankit-threads', 'blas-threads', 'fused'] as const) if (values[option]) args.push(`--${option}`, values[option]!);
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
  type Column = { gankit: Timing; ratio: number | null; profile: Array<[string, number]>; threads: number; native: string | null; gmac: number; gmacPerS: number; dispatches: number; cores: number; kernelSet: { id: string; description: string } };
  const cpu = processor();
  const bound = (cores: number) => cores * cpu.ghz * cpu.macsPerCycle;
  const results: Record<string, { torch: (Timing & { gmacPerS: number | null }) | null } & Partial<Record<Mode, Column>>> = {};
  for (const name of cases) {
    const t = torchMs[name]?.length ? summarise(torchMs[name]) : null;
    const gmac = last[modes[0]][name]?.gmac ?? 0;
    results[name] = { torch: t ? { ...t, gmacPerS: gmac ? gmac / (t.median / 1000) : null } : null };
    for (const mode of modes) {
      const g = summarise(gankitMs[mode][name]);
      const r = last[mode][name];
      results[name][mode] = { gankit: g, ratio: t ? g.median / t.median : null, profile: r.profile, threads: r.threads, native: r.native, gmac: r.gmac, gmacPerS: r.gmac / (g.median / 1000), dispatches: r.dispatches, cores: r.cores, kernelSet: r.kernelSet };
    }
  }
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const cell = (c: Column | undefined) => (c ? `${f(c.gankit.median)} (${f(c.gankit.min)}–${f(c.gankit.max)})` : 'n/a');
  const ratio = (c: Column | undefined) => (c?.ratio ? `${c.ratio.toFixed(2)}×` : 'n/a');
  const rate = (gmacPerS: number | null | undefined, cores: number) => (gmacPerS ? `${gmacPerS.toFixed(1)} GMAC/s (${((100 * gmacPerS) / bound(cores)).toFixed(0)} % of ${bound(cores).toFixed(0)}, ${cores} core(s))` : 'n/a');
  // The library is one for all cases; its threads are each case's own (2-D runs on fewer).
  const nativeRuns = Object.entries(last.native);
  const nativeNote = nativeRuns[0]?.[1].blas ?? nativeRuns[0]?.[1].native?.replace(/, \d+ thread\(s\)$/, '');
  const perCase = (runs: Array<[string, ChildResult]>, value: (r: ChildResult) => number) => runs.map(([k, r]) => `${k} ${value(r)}`).join(', ') || '-';
  const sets = (mode: Mode) => [...new Set(Object.values(last[mode]).map((r) => `${r.kernelSet.id} (${r.kernelSet.description})`))].join(', ') || '-';
  const lines = [
    `| case | gankit native ms/step (median, min–max) | gankit wasm-only ms/step | PyTorch ms/step | native / PyTorch | wasm-only / PyTorch |`,
    `|---|---|---|---|---|---|`,
    ...Object.entries(results).map(([k, r]) => `| ${k} | ${cell(r.native)} | ${cell(r.wasm)} | ${r.torch ? `${f(r.torch.median)} (${f(r.torch.min)}–${f(r.torch.max)})` : 'n/a'} | ${ratio(r.native)} | ${ratio(r.wasm)} |`),
    ``,
    `| case | GMAC/step | kernels/step (native) | gankit native: rate, % of the FMA bound of the cores its BLAS ran on | PyTorch: rate, % of the bound of its ${values.threads} core(s) |`,
    `|---|---|---|---|---|`,
    ...Object.entries(results).map(([k, r]) => `| ${k} | ${(r.native ?? r.wasm)!.gmac.toFixed(3)} | ${r.native?.dispatches ?? '-'} | ${rate(r.native?.gmacPerS, r.native?.cores ?? Number(values.threads))} | ${rate(r.torch?.gmacPerS, Number(values.threads))} |`),
    ``,
    `Processor: ${cpu.name}, ${cpus().length} cores, ${cpu.ghz.toFixed(2)} GHz; FMA bound = cores × ${cpu.ghz.toFixed(2)} GHz × ${cpu.note} = ${bound(1).toFixed(1)} GMAC/s per core${/core Haswell/.test(nativeNote ?? '') && cpu.macsPerCycle > 16 && !values['macs-per-cycle'] ? ' (OpenBLAS runs its Haswell kernels here, AVX2: at most half of this bound)' : ''}.`,
    `Kernel sets: native ${modes.includes('native') ? sets('native') : 'not run'}; wasm-only ${modes.includes('wasm') ? sets('wasm') : 'not run'}.`,
    `gankit on tfjs-${backend}; native: ${nativeNote ?? (modes.includes('native') ? '?' : 'none')} (BLAS threads ${perCase(nativeRuns, (r) => r.cores)}; wasm threads ${perCase(nativeRuns, (r) => r.threads)}); wasm-only threads ${perCase(Object.entries(last.wasm), (r) => r.threads)}; ${torch.note}; ${rounds} round(s) of ${steps} timed steps after ${warmup} warm-up (2-D: ×${MLP_SCALE}); a step = one D and one G Adam update.`,
  ];
  console.log(lines.join('\n'));
  for (const [k, r] of Object.entries(results)) {
    for (const mode of modes) console.log(`  ${k} ${mode} kernels (ms in one step): ${r[mode]!.profile.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}`);
  }
  writeFileSync(
    values.out!,
    JSON.stringify({ date: new Date().toISOString(), backend, cores: cpus().length, processor: { ...cpu, fmaBoundPerCore: bound(1) }, threads: Number(values.threads), rounds, steps, warmup, torch: torch.note, native: nativeNote ?? null, results }, null, 2) + '\n',
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
