/**
 * The gankit command line. Every train flag is an override of a config field (see
 * src/train/config.ts); `--config run.json` supplies any subset of fields. Errors in options,
 * config or data print one line naming the field or file and exit with code 2, before anything
 * is written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initEngine } from '../engine/index.js';
import type { Workload } from '../engine/index.js';
import { ConfigError, resolveConfig, RunConfig } from '../train/config.js';
import { listLosses, VARIANTS } from '../losses/registry.js';
import { startRun, resumeRun, openRun, scatterPng, readRunConfig, RunFolderError, Progress, ToyTask } from '../train/run.js';
import { writeFileAtomic } from '../train/checkpoint.js';
import { isImageData } from '../data/imageData.js';
import { imageGridPng } from '../report/grid.js';
import { DivergenceError } from '../train/trainer.js';
import { Rng } from '../engine/index.js';
import { ProgressBar } from './progress.js';
import { InputError } from '../errors.js';
import { parse, num, UsageError, Values } from './args.js';
import { featnet, FEATNET_HELP } from './featnet.js';
import { study, runs, compare, STUDY_HELP, RUNS_HELP, COMPARE_HELP } from './study.js';

export { UsageError };

const HELP: Record<string, string> = {
  main: `gankit — train and measure GANs under every major loss

Usage: gankit <command> [options]

Commands:
  train     train a GAN (default: WGAN-GP on the 8-Gaussian ring)
  resume    continue a run from its last checkpoint
  sample    draw samples from a trained run (CSV or PNG)
  eval      score a run's checkpoint (images: FID, KID, precision/recall, …)
  losses    the table of losses, formulas and paper presets
  featnet   train or inspect the feature network behind FID/KID/precision-recall
  study     measure the claims made for a loss (wasserstein), with verdicts
  runs      list and filter runs in a runs database (rebuildable from run folders)
  compare   tabulate runs side by side

Run 'gankit <command> --help' for a command's options.`,
  train: `Usage: gankit train [options]

Trains on 2-D points or images and writes a run folder: config.json, metrics.jsonl,
checkpoint.bin, samples/step-N.png (2-D: real vs generated over D's field; images: a sample
grid, one row per class for conditional runs, step-N-code-*.png traversals for InfoGAN),
metrics.png, summary.json (images: FID/KID/precision/recall and the real-vs-real baseline).

Options (each overrides a field of the config):
  --loss NAME        ns, minimax, lsgan, wgan, wgan-gp, dragan, began, hinge, rsgan, rasgan,
                     ralsgan, rahinge, r1, r2 (default wgan-gp); or a variant: cgan, acgan,
                     infogan (the non-saturating loss with labels / a classifier head / codes) [loss]
  --data NAME        2-D: ring8, grid25, spiral, moons, csv:PATH (default ring8);
                     images: fashion-mnist, mnist, folder:PATH               [data.name]
  --size N           folder images: 32 (default) or 64 pixels               [data.size]
  --channels N       folder images: 3 (default) or 1                        [data.channels]
  --skip-unreadable  folder images: skip (and list) files that cannot be read [data.skipUnreadable]
  --arch NAME        images: lucic28 (MNIST-sized, default), dcgan32, dcgan64 [model.arch]
  --norm NAME        image D's norm: batch, layer, none (default: batch; none with a penalty) [model.norm]
  --conditional M    concat, projection or acgan (labelled images)          [conditional]
  --eval-samples N   generated images scored at each plot step (images: 1000) [evalSamples]
  --plot-every N     pictures (and image metrics) every N steps            [plotEvery]
  --steps N          generator steps (default 1000)                     [steps]
  --batch N          batch size (default 256)                           [batchSize]
  --seed N           random seed (default 1)                            [seed]
  --lr X             learning rate of both networks                     [optimizerD.lr, optimizerG.lr]
  --n-critic N       discriminator steps per generator step             [nCritic]
  --lambda X         gradient-penalty weight                            [hyper.lambda]
  --gamma X          R1/R2 weight, or BEGAN's diversity ratio           [hyper.gamma]
  --profile P        toy (paper preset at 2-D scale, default) or paper  [profile]
  --ema X            generator EMA decay, 0 = off                       [ema]
  --infogan          InfoGAN codes and Q head (one 10-way categorical and
                     two continuous codes unless the config says)       [infogan]
  --config FILE      a JSON config (any subset of fields)
  --out DIR          run folder (default runs/<loss>-<data>-<time>)
  --backend NAME     wasm (default), cpu, webgpu                        [backend]
  --threads N        wasm threads (default: 1 for 2-D data, every core up to
                     4 for images; or GANKIT_THREADS)
  --quiet            no progress bar
  -h, --help         this help`,
  resume: `Usage: gankit resume --run DIR [--steps N] [--quiet]

Continues the run in DIR from its last checkpoint, to its configured steps (or N).`,
  sample: `Usage: gankit sample --run DIR [--n N] [--seed N] [--csv | --png] [--class K] [--out FILE]

Draws n samples from the run's latest checkpoint. 2-D runs (n default 1000): CSV (x,y per line)
goes to stdout unless --out is given; --png writes a picture of the samples over the data and
D's field. Image runs (n default 64): a PNG grid; --class K asks a conditional run for class K.
Pictures go to DIR/sample.png unless --out is given.`,
  eval: `Usage: gankit eval --run DIR [--n N] [--json]

Scores the run's latest checkpoint: for images FID, KID, precision, recall, density, coverage,
classifier score (and conditional accuracy / InfoGAN code accuracy) on gankit's feature network,
next to the real-vs-real baseline; for 2-D runs modes, quality and sliced Wasserstein.
Writes DIR/eval.json.`,
  featnet: FEATNET_HELP,
  study: STUDY_HELP,
  runs: RUNS_HELP,
  compare: COMPARE_HELP,
  losses: `Usage: gankit losses [--json]

Prints every loss with its paper, formulas and preset (what 'gankit train --profile paper' uses).`,
};

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('--config', `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the top level must be an object');
    return parsed;
  } catch (e) {
    throw new ConfigError('--config', `${path}: malformed JSON (${(e as Error).message})`);
  }
}

/** Flags → config overrides (a partial RunConfig), applied over the config file. */
export function trainOverrides(values: Values): Record<string, unknown> {
  const file = typeof values.config === 'string' ? readConfigFile(values.config) : {};
  const o: Record<string, unknown> = { ...file };
  const set = (path: string[], v: unknown) => {
    if (v === undefined) return;
    let node = o as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      node[key] = typeof node[key] === 'object' && node[key] !== null ? { ...(node[key] as object) } : {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = v;
  };
  set(['loss'], values.loss);
  set(['data', 'name'], values.data);
  set(['steps'], num(values, 'steps', true));
  set(['batchSize'], num(values, 'batch', true));
  set(['seed'], num(values, 'seed', true));
  const lr = num(values, 'lr');
  set(['optimizerD', 'lr'], lr);
  set(['optimizerG', 'lr'], lr);
  set(['nCritic'], num(values, 'n-critic', true));
  set(['hyper', 'lambda'], num(values, 'lambda'));
  set(['hyper', 'gamma'], num(values, 'gamma'));
  set(['profile'], values.profile);
  set(['ema'], num(values, 'ema'));
  if (values.infogan) set(['infogan'], typeof file.infogan === 'object' && file.infogan ? file.infogan : {});
  set(['backend'], values.backend);
  set(['data', 'size'], num(values, 'size', true));
  set(['data', 'channels'], num(values, 'channels', true));
  if (values['skip-unreadable']) set(['data', 'skipUnreadable'], true);
  set(['model', 'arch'], values.arch);
  set(['model', 'norm'], values.norm);
  set(['conditional'], values.conditional);
  set(['evalSamples'], num(values, 'eval-samples', true));
  set(['plotEvery'], num(values, 'plot-every', true));
  return o;
}

function progressReporter(quiet: boolean, total: number): { onProgress: (p: Progress) => void; done: () => void } {
  if (quiet) return { onProgress: () => {}, done: () => {} };
  const bar = new ProgressBar(process.stderr, total);
  let lastEval = ''; // the latest logged quality, shown until the next one
  return {
    onProgress: (p) => {
      const s = p.stats;
      const parts = [`D ${s.dLoss.toFixed(3)}`, `G ${s.gLoss.toFixed(3)}`];
      if (s.diagnostics.wassersteinEstimate !== undefined) parts.push(`W ${s.diagnostics.wassersteinEstimate.toFixed(3)}`);
      if (s.diagnostics.mutualInformation !== undefined) parts.push(`L_I ${s.diagnostics.mutualInformation.toFixed(2)}`);
      if (p.eval) {
        const e = p.eval;
        if (e.modesCovered !== undefined) lastEval = `modes ${e.modesCovered}/${e.totalModes} HQ ${(100 * (e.highQualityShare ?? 0)).toFixed(0)}%`;
        else if (e.slicedWasserstein !== undefined) lastEval = `SW ${e.slicedWasserstein.toFixed(3)}`;
        else if (typeof e.fid === 'number') lastEval = `FID ${e.fid.toFixed(1)}`;
      }
      if (lastEval) parts.push(lastEval);
      bar.update(p.step, p.stepsPerSecond, parts.join('  '));
    },
    done: () => bar.finish(),
  };
}

function summarise(result: { dir: string; steps: number; elapsed: number; final: Record<string, unknown> | null }): string {
  const f = result.final as { modesCovered?: number; totalModes?: number; highQualityShare?: number; reverseKL?: number | null; slicedWasserstein?: number } | null;
  const lines = [`gankit: finished ${result.steps} steps in ${result.elapsed.toFixed(1)} s → ${result.dir}`];
  if (f?.modesCovered !== undefined) {
    lines.push(`  modes covered ${f.modesCovered}/${f.totalModes}, high-quality samples ${(100 * (f.highQualityShare ?? 0)).toFixed(1)}%, reverse KL ${f.reverseKL === null ? 'n/a' : f.reverseKL?.toFixed(3)}`);
  }
  if (f?.slicedWasserstein !== undefined) lines.push(`  sliced Wasserstein-1 to the data ${f.slicedWasserstein.toFixed(4)}`);
  const img = result.final as { fid?: number; kid?: number; precision?: number; recall?: number; conditionalAccuracy?: number; codeAccuracy?: number } | null;
  if (img?.fid !== undefined) {
    const extra = img.conditionalAccuracy !== undefined ? `, conditional accuracy ${(100 * img.conditionalAccuracy).toFixed(1)}%` : img.codeAccuracy !== undefined ? `, code↔class accuracy ${(100 * img.codeAccuracy).toFixed(1)}%` : '';
    lines.push(`  FID ${img.fid.toFixed(2)}, KID ${img.kid?.toFixed(4)}, precision ${img.precision?.toFixed(3)}, recall ${img.recall?.toFixed(3)}${extra} (gankit feature network; see summary.json for the real-vs-real baseline)`);
  }
  lines.push(`  pictures: ${join(result.dir, 'samples')}/, ${join(result.dir, 'metrics.png')}`);
  return lines.join('\n');
}

async function train(argv: string[]): Promise<number> {
  const values = parse(argv, {
    loss: { type: 'string' },
    data: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    seed: { type: 'string' },
    lr: { type: 'string' },
    'n-critic': { type: 'string' },
    lambda: { type: 'string' },
    gamma: { type: 'string' },
    profile: { type: 'string' },
    ema: { type: 'string' },
    infogan: { type: 'boolean' },
    size: { type: 'string' },
    channels: { type: 'string' },
    'skip-unreadable': { type: 'boolean' },
    arch: { type: 'string' },
    norm: { type: 'string' },
    conditional: { type: 'string' },
    'eval-samples': { type: 'string' },
    'plot-every': { type: 'string' },
    config: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  if (values.help) return help('train');
  const config: RunConfig = resolveConfig(trainOverrides(values));
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const dir = resolve(typeof values.out === 'string' ? values.out : join('runs', `${config.loss}-${config.data.name.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${stamp}`));
  await initEngine({ backend: config.backend, threads: typeof values.threads === 'string' ? values.threads : undefined, workload: workloadOf(config) });
  const reporter = progressReporter(Boolean(values.quiet), config.steps);
  if (!values.quiet) process.stderr.write(`gankit: training ${config.loss} on ${config.data.name} for ${config.steps} steps (${config.profile} profile, backend ${config.backend}) → ${dir}\n`);
  const result = await startRun(config, dir, { onProgress: reporter.onProgress });
  reporter.done();
  console.log(summarise(result));
  return 0;
}

/** The engine's default thread count depends on the model size (measured, docs/speed.md). */
const workloadOf = (config: RunConfig): Workload => (isImageData(config.data.name) ? 'images' : 'toy');

async function resume(argv: string[]): Promise<number> {
  const values = parse(argv, { run: { type: 'string' }, steps: { type: 'string' }, quiet: { type: 'boolean' } });
  if (values.help) return help('resume');
  if (typeof values.run !== 'string') throw new UsageError('resume needs --run DIR');
  const steps = num(values, 'steps', true);
  const dir = resolve(values.run);
  const config = readRunConfig(dir);
  await initEngine({ backend: config.backend, workload: workloadOf(config) });
  const reporter = progressReporter(Boolean(values.quiet), steps ?? config.steps);
  const result = await resumeRun(dir, { onProgress: reporter.onProgress }, steps);
  reporter.done();
  console.log(summarise(result));
  return 0;
}

async function sample(argv: string[]): Promise<number> {
  const values = parse(argv, { run: { type: 'string' }, n: { type: 'string' }, seed: { type: 'string' }, csv: { type: 'boolean' }, png: { type: 'boolean' }, out: { type: 'string' }, class: { type: 'string' } });
  if (values.help) return help('sample');
  if (typeof values.run !== 'string') throw new UsageError('sample needs --run DIR');
  if (values.csv && values.png) throw new UsageError('choose one of --csv and --png');
  const seed = num(values, 'seed', true) ?? 0;
  const dir = resolve(values.run);
  const config = readRunConfig(dir);
  const images = isImageData(config.data.name);
  const n = num(values, 'n', true) ?? (images ? 64 : 1000);
  if (n <= 0) throw new ConfigError('--n', `must be a positive integer, got ${n}`);
  if (images && values.csv) throw new UsageError('--csv is for 2-D runs; image runs write a PNG grid (--png)');
  return withCheckpointedRun(dir, config, {}, { evaluate: false }, ({ task, trainer }) => {
    const cls = num(values, 'class', true);
    if (cls !== undefined && (trainer.classes === 0 || cls < 0 || cls >= trainer.classes)) {
      throw new ConfigError('--class', trainer.classes === 0 ? 'this run is not conditional (train with --loss cgan or acgan)' : `must be in 0..${trainer.classes - 1}, got ${cls}`);
    }
    if (images) {
      const labels = cls !== undefined ? new Int32Array(n).fill(cls) : undefined;
      const pixels = trainer.sample(n, new Rng(seed), labels);
      const [height, width, channels] = trainer.G.sampleShape;
      const cols = Math.ceil(Math.sqrt(n));
      const out = typeof values.out === 'string' ? values.out : join(dir, 'sample.png');
      writeFileSync(out, imageGridPng(pixels, { rows: Math.ceil(n / cols), cols, height, width, channels }));
      console.error(`gankit: wrote ${n} samples${cls !== undefined ? ` of class ${cls}` : ''} to ${out}`);
      return 0;
    }
    const toy = task as ToyTask;
    const points = trainer.sample(n, new Rng(seed));
    if (values.png) {
      const real = toy.data.sample(new Rng(seed + 1), n);
      const out = typeof values.out === 'string' ? values.out : join(dir, 'sample.png');
      writeFileSync(out, scatterPng(trainer, toy.data, trainer.step, points, real, `${n} samples, seed ${seed}`));
      console.error(`gankit: wrote ${out}`);
    } else {
      const lines = ['x,y'];
      for (let i = 0; i < points.length; i += 2) lines.push(`${points[i]},${points[i + 1]}`);
      const text = lines.join('\n') + '\n';
      if (typeof values.out === 'string') writeFileSync(values.out, text);
      else process.stdout.write(text);
    }
    return 0;
  });
}

/**
 * Opens a run's latest checkpoint (engine on the run's backend), hands the task to `use`, and
 * disposes it whatever happens; a run without a checkpoint is one clear error.
 */
async function withCheckpointedRun(
  dir: string,
  config: RunConfig,
  overrides: Partial<RunConfig>,
  options: { evaluate?: boolean },
  use: (opened: Awaited<ReturnType<typeof openRun>>) => number,
): Promise<number> {
  await initEngine({ backend: config.backend, workload: workloadOf(config) });
  const opened = await openRun(dir, overrides, options);
  try {
    if (!opened.header) throw new RunFolderError(`${dir}: the run has no checkpoint yet`);
    return use(opened);
  } finally {
    opened.task.dispose();
  }
}

async function evalRun(argv: string[]): Promise<number> {
  const values = parse(argv, { run: { type: 'string' }, n: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return help('eval');
  if (typeof values.run !== 'string') throw new UsageError('eval needs --run DIR');
  const dir = resolve(values.run);
  const n = num(values, 'n', true);
  if (n !== undefined && n < 10) throw new ConfigError('--n', `must be an integer ≥ 10, got ${n}`);
  return withCheckpointedRun(dir, readRunConfig(dir), n ? { evalSamples: n } : {}, {}, ({ task, trainer }) => {
    const ev = task.evaluate(trainer.step, true);
    const summary = task.summary();
    const result = { run: dir, step: trainer.step, samples: trainer.config.evalSamples, scores: ev.metrics, ...summary };
    writeFileAtomic(join(dir, 'eval.json'), JSON.stringify(result, null, 2) + '\n');
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    const baseline = (summary.realVsReal ?? null) as Record<string, number> | null;
    console.log(`gankit eval: ${dir} at step ${trainer.step}, ${trainer.config.evalSamples} samples`);
    if (Object.keys(ev.metrics).length === 0) {
      console.log(`  no image metrics: ${String(summary.evaluation ?? 'not an image run')}`);
    }
    for (const [k, v] of Object.entries(ev.metrics)) {
      const b = baseline?.[k];
      console.log(`  ${k.padEnd(20)} ${typeof v === 'number' ? v.toFixed(4).padStart(10) : String(v).padStart(10)}${typeof b === 'number' ? `   (real vs real ${b.toFixed(4)})` : ''}`);
    }
    if (summary.evaluation) console.log(`  ${String(summary.evaluation)}`);
    console.log(`  → ${join(dir, 'eval.json')}`);
    return 0;
  });
}

function losses(argv: string[]): number {
  const values = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return help('losses');
  const table = listLosses().map((l) => ({ name: l.name, title: l.title, paper: l.paper, formulaD: l.formulaD, formulaG: l.formulaG, preset: l.preset }));
  if (values.json) {
    console.log(JSON.stringify({ losses: table, variants: VARIANTS }, null, 2));
    return 0;
  }
  const opt = (o: { name: string; lr: number; beta1?: number; beta2?: number }) => `${o.name} ${o.lr}${o.beta1 !== undefined ? ` β=(${o.beta1}, ${o.beta2})` : ''}`;
  for (const l of table) {
    const h = Object.entries(l.preset.hyper).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`${l.name.padEnd(8)} ${l.title} — ${l.paper}`);
    console.log(`         D: ${l.formulaD}`);
    console.log(`         G: ${l.formulaG}`);
    console.log(`         preset: ${opt(l.preset.optimizerD)}, n_critic ${l.preset.nCritic}${h ? `, ${h}` : ''}${l.preset.batchSize ? `, batch ${l.preset.batchSize}` : ''}`);
    console.log(`         source: ${l.preset.source}\n`);
  }
  console.log('Variants (wrap a loss):');
  for (const v of VARIANTS) console.log(`${v.name.padEnd(8)} ${v.title} — ${v.paper}\n         ${v.description}\n         preset: ${v.preset.source}\n`);
  return 0;
}

function help(topic: string): number {
  console.log(HELP[topic] ?? HELP.main);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return await train(rest);
      case 'resume':
        return await resume(rest);
      case 'sample':
        return await sample(rest);
      case 'eval':
        return await evalRun(rest);
      case 'losses':
        return losses(rest);
      case 'featnet':
        return await featnet(rest);
      case 'study':
        return await study(rest);
      case 'runs':
        return runs(rest);
      case 'compare':
        return compare(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        return help(rest[0] ?? 'main');
      default:
        throw new UsageError(`unknown command '${command}' (train, resume, sample, eval, losses, featnet, study, runs, compare)`);
    }
  } catch (e) {
    if (e instanceof InputError) {
      console.error(`gankit: error: ${(e as Error).message}`);
      return 2;
    }
    if (e instanceof DivergenceError) {
      console.error(`\ngankit: ${e.message}`);
      return 3;
    }
    throw e;
  }
}
