/**
 * Makes the pretrained generators under assets/pretrained/ from the image benchmark's finished
 * trials at the field's budget (npm run bench:fashion) and, for the 2-D model, from its own cached
 * trial. For every image model it
 *   1. opens the trial's last checkpoint and scores it (float32, EMA weights) on 10,000 samples,
 *   2. packs G (and D where shipped) with the weights rounded to float16 (checkpoint format 3),
 *   3. scores the shipped copy the same way (same noise, same reference images), and
 *   4. writes both into info.json; a model whose FID moves by 0.5 or more is packed again in float32.
 * A model whose trial has not finished is reported and skipped; re-running adds it. With --only
 * NAME,… just those; --samples N scores on N (default 10,000; smaller only to try the script).
 *
 *   npm run bench:pretrained [-- --runs bench/fashion-runs/budget] [--only fashion-mnist-ns]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/index.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { workloadOf } from '../src/kinds/index.js';
import { listPretrained, openPretrained, packPretrained, pretrainedDir, writePretrainedInfo } from '../src/pretrained/index.js';
import type { PretrainedInfo } from '../src/pretrained/index.js';
import { openRun, readRunConfig } from '../src/runner/run.js';
import { runTrial, trialResult } from '../src/runner/trial.js';
import { RunFolder } from '../src/runfolder/index.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: 'bench/fashion-runs/budget' },
    only: { type: 'string' },
    samples: { type: 'string', default: '10000' },
  },
});
const runs = resolve(values.runs!);
const samples = Number(values.samples);
if (!Number.isInteger(samples) || samples < 100) throw new Error(`--samples: '${values.samples}' (a whole number ≥ 100)`);

/** The largest FID change the float16 copy may show at N = 10,000 (else it ships as float32). */
const MAX_HALF_FID_SHIFT = 0.5;
/** The sample count of info.json's `check` (test/pretrained.test.ts scores the shipped model on it). */
const CHECK_SAMPLES = 1000;
/** The package's assets (assets/) are kept under this. */
const ASSET_BUDGET_MB = 30;

interface Model {
  name: string;
  description: string;
  /** A benchmark trial (data/system-seed under --runs), or a 2-D run made here. */
  trial: string;
  discriminator: boolean;
  own?: Record<string, unknown>;
}

const fashion = (system: string, description: string, discriminator = false): Model => ({ name: `fashion-mnist-${system}`, description: `Fashion-MNIST, ${description}`, trial: `fashion-mnist/${system}-s1`, discriminator });

const MODELS: Model[] = [
  fashion('ns', 'standard GAN (non-saturating), dcgan28, with its discriminator', true),
  fashion('minimax', 'standard GAN, minimax (saturating) G loss, dcgan28'),
  fashion('lsgan', 'least-squares GAN, dcgan28'),
  fashion('hinge-sn', 'hinge loss, spectral norm on D, dcgan28'),
  fashion('dragan', 'DRAGAN, dcgan28'),
  // The critic losses ship from their 15,625-G-step arms: at Lucic's 3,125 G steps clipped WGAN is
  // not yet recognisable (FID ~76 at N = 10,000; 20.6 at 15,625) and WGAN-GP scores ~26 (9.1).
  { name: 'fashion-mnist-wgan', description: "Fashion-MNIST, WGAN with weight clipping, the paper's preset (n_critic 5), 15,625 G steps, dcgan28", trial: 'fashion-mnist/wgan-long-s1', discriminator: false },
  { name: 'fashion-mnist-wgan-gp', description: 'Fashion-MNIST, WGAN-GP (n_critic 5), 15,625 G steps, dcgan28', trial: 'fashion-mnist/wgan-gp-long-s1', discriminator: false },
  // BEGAN ships from its γ 1 arm: at the paper's networks with γ 0.75 every sample is one grey
  // image (the began row is stopped, bench/fashion.ts says why).
  { name: 'fashion-mnist-began', description: 'Fashion-MNIST, BEGAN (autoencoder D), dcgan28 G, diversity ratio γ 1', trial: 'fashion-mnist/began-g1-s1', discriminator: false },
  fashion('cgan', 'conditional GAN (concat), dcgan28: input noise then onehot(class)'),
  // The InfoGANs ship at 256 FC units in G (1.8 M weights, 3.5 MB in float16): the paper's 1024
  // (lucic28's default) is 13 MB each, which the 30 MB budget cannot hold twice.
  { name: 'fashion-mnist-infogan', description: 'Fashion-MNIST, InfoGAN (10-way code + 2 continuous), lucic28 with a 256-unit FC layer in G', trial: 'fashion-mnist/infogan-fc256-s1', discriminator: false },
  { name: 'mnist-infogan', description: 'MNIST digits, InfoGAN (10-way code + 2 continuous), lucic28 with a 256-unit FC layer in G', trial: 'mnist/infogan-fc256-s1', discriminator: false },
  { name: 'mnist-cgan', description: 'MNIST digits, conditional GAN (concat), dcgan28', trial: 'mnist/cgan-s1', discriminator: false },
  {
    name: 'ring8-wgan-gp',
    description: 'ring8 (8 Gaussians on a circle), WGAN-GP, the 2-D toy profile (gankit train defaults)',
    trial: 'points/ring8-wgan-gp',
    discriminator: true,
    own: { loss: 'wgan-gp', data: { name: 'ring8' }, steps: 2000, seed: 1 },
  },
];

/** The scores info.json keeps (the evaluator's names; FID∞ and KID's standard error included). */
const SCORES = ['fid', 'fidInfinity', 'kid', 'kidSe', 'precision', 'recall', 'density', 'coverage', 'classifierScore', 'conditionalAccuracy', 'codeAccuracy', 'modesCovered', 'totalModes', 'highQualityShare', 'reverseKL', 'slicedWasserstein'];
const pick = (metrics: Record<string, unknown>): Record<string, number> => Object.fromEntries(SCORES.filter((k) => typeof metrics[k] === 'number' && Number.isFinite(metrics[k])).map((k) => [k, metrics[k] as number]));

function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((n, f) => {
    const p = join(dir, f);
    const s = statSync(p);
    return n + (s.isDirectory() ? folderBytes(p) : s.size);
  }, 0);
}

/** The shipped config.json keeps the run's own evalSamples (the packer opened the run with N = --samples). */
function keepRunEvalSamples(name: string, dir: string): void {
  const path = join(pretrainedDir(), name, 'config.json');
  const shipped = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  writeFileAtomic(path, JSON.stringify({ ...shipped, evalSamples: readRunConfig(dir).evalSamples }, null, 2) + '\n');
}

async function packImages(m: Model, dir: string): Promise<string> {
  const config = readRunConfig(dir, { evalSamples: samples });
  await initEngine({ backend: config.backend, workload: workloadOf(config), compute: config.compute, reading: true });
  const opened = await openRun(dir, config, { evaluate: true });
  let info: Omit<PretrainedInfo, 'step' | 'weights' | 'storage'>;
  let step: number;
  try {
    step = opened.trainer.step;
    const full = pick(opened.task.evaluate(step, true).metrics);
    info = { name: m.name, description: m.description, source: `npm run bench:fashion trial ${m.trial} (step ${step})`, discriminator: m.discriminator, scores: full, samples, float32Scores: full };
    packPretrained(opened.trainer, info, pretrainedDir(), { half: true });
    keepRunEvalSamples(m.name, dir);
  } finally {
    opened.task.dispose();
  }
  const scoreShipped = async (n: number): Promise<Record<string, number>> => {
    const shipped = await openPretrained(m.name, pretrainedDir(), { evaluate: true, evalSamples: n });
    try {
      return pick(shipped.task.evaluate(shipped.trainer.step, true).metrics);
    } finally {
      shipped.task.dispose();
    }
  };
  const scores = await scoreShipped(samples);
  const shift = Math.abs(scores.fid - info.float32Scores!.fid);
  const out = join(pretrainedDir(), m.name);
  if (!(shift < MAX_HALF_FID_SHIFT)) {
    // Rounding cost too much: ship the float32 weights, scored as they are.
    const again = await openRun(dir, config, { evaluate: false });
    try {
      packPretrained(again.trainer, info, pretrainedDir(), { half: false });
      keepRunEvalSamples(m.name, dir);
    } finally {
      again.task.dispose();
    }
    const check = { samples: CHECK_SAMPLES, fid: (await scoreShipped(CHECK_SAMPLES)).fid };
    writePretrainedInfo(out, { ...info, check, step, weights: listPretrained().find((p) => p.name === m.name)!.weights, storage: 'float32' });
    return `${out}: float16 moved FID by ${shift.toFixed(3)} (≥ ${MAX_HALF_FID_SHIFT}): shipped as float32, FID ${info.float32Scores!.fid.toFixed(2)}`;
  }
  // The test suite re-measures the shipped weights at the training-time N (seconds, not minutes).
  const check = { samples: CHECK_SAMPLES, fid: (await scoreShipped(CHECK_SAMPLES)).fid };
  writePretrainedInfo(out, { ...info, scores, check, step, weights: listPretrained().find((p) => p.name === m.name)!.weights, storage: 'float16' });
  return `${out}: float16, FID ${scores.fid.toFixed(2)} (float32 ${info.float32Scores!.fid.toFixed(2)}, |Δ| ${shift.toFixed(3)} at N = ${samples}), classifier score ${scores.classifierScore?.toFixed(2) ?? '–'}`;
}

async function packPoints(m: Model, dir: string): Promise<string> {
  const config = readRunConfig(dir);
  await initEngine({ backend: config.backend, workload: workloadOf(config), compute: config.compute, reading: true });
  const opened = await openRun(dir, config, { evaluate: false });
  try {
    // The scores of the last evaluation (2-D runs evaluate at log steps).
    const rows = new RunFolder(dir).readMetrics().filter((r) => r.modesCovered !== undefined);
    const scores = pick((rows[rows.length - 1] ?? {}) as Record<string, unknown>);
    // 2-D models are tiny: float32, exactly the run's weights.
    packPretrained(opened.trainer, { name: m.name, description: m.description, source: `bench/pretrained.ts trial ${m.trial} (step ${opened.trainer.step})`, discriminator: m.discriminator, scores }, pretrainedDir(), { half: false });
    return `${join(pretrainedDir(), m.name)}: ${Object.entries(scores).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`;
  } finally {
    opened.task.dispose();
  }
}

async function main() {
  const only = values.only?.split(',');
  for (const name of only ?? []) if (!MODELS.some((m) => m.name === name)) throw new Error(`--only: no model '${name}' (${MODELS.map((m) => m.name).join(', ')})`);
  for (const m of MODELS.filter((x) => !only || only.includes(x.name))) {
    const dir = join(runs, m.trial);
    if (m.own && !trialResult(dir)) {
      await initEngine({ workload: 'points' });
      await runTrial({ overrides: m.own, dir });
    }
    const summary = trialResult(dir);
    if (!summary || summary.status !== 'finished') {
      console.log(`${m.name}: skipped, ${m.trial} has ${existsSync(dir) ? 'not finished' : 'not started'} (under ${runs})`);
      continue;
    }
    console.log(m.own ? await packPoints(m, dir) : await packImages(m, dir));
  }
  const mb = folderBytes(resolve('assets')) / 2 ** 20;
  console.log(`assets/: ${mb.toFixed(1)} MB${mb > ASSET_BUDGET_MB ? ` — over the ${ASSET_BUDGET_MB} MB budget: leave a model out or make it smaller` : ''}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
