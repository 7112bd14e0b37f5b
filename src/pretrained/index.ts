/**
 * Pretrained generators shipped under assets/pretrained/<name>/, made by the benchmarks:
 *   config.json   the run's config (the model to build);
 *   weights.bin   a checkpoint file (src/runfolder/checkpoint.ts) with the generator's sampling
 *                 weights (`G/i`: the EMA weights where the run had them) and, for some, the
 *                 discriminator (`D/i`, `Dstate/i`); no optimiser state. Weights (G/…, D/…) are
 *                 stored as float16 (checkpoint format 3) when packed with `half`, which halves
 *                 the package; batch-norm statistics stay float32;
 *   info.json     name, description, source trial, step, the storage, and the scores measured on
 *                 the shipped weights (bench/pretrained.ts: N = 10,000 for images, with the
 *                 float32 model's FID beside them).
 * `gankit pretrained` lists them; `gankit sample --pretrained NAME` and `gankit export --pretrained
 * NAME` open one as a run.
 */
import { packageRoot } from '../io/packageRoot.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { makeFolder, writeFileAtomic } from '../io/atomic.js';
import { createTask } from '../kinds/index.js';
import type { RunTask } from '../kinds/task.js';
import { decodeCheckpoint, encodeCheckpoint } from '../runfolder/checkpoint.js';
import type { CheckpointArrays } from '../runfolder/checkpoint.js';
import { validateConfig } from '../train/config.js';
import type { RunConfig } from '../train/config.js';
import type { Trainer } from '../train/trainer.js';

export interface PretrainedInfo {
  name: string;
  description: string;
  /** Where it came from: the benchmark and trial, and the command that reproduces it. */
  source: string;
  step: number;
  weights: 'ema' | 'generator';
  /** Includes the discriminator (D/…). */
  discriminator: boolean;
  /** Scores at `step` (FID… for images; modes, HQ share… for 2-D). */
  scores: Record<string, number>;
  /** How the weights are stored (absent: float32, as packed before float16 was). */
  storage?: 'float16' | 'float32';
  /** Generated samples the scores were measured on (images; absent: the run's training-time 1,000). */
  samples?: number;
  /** The same scores of the float32 model before rounding (images packed as float16): what the rounding cost. */
  float32Scores?: Record<string, number>;
  /** FID of the shipped weights at the training-time 1,000 samples: what the test suite re-measures cheaply. */
  check?: { samples: number; fid: number };
}

interface WeightsHeader {
  step: number;
  weights: 'ema' | 'generator';
}

/** assets/pretrained in the package (from dist/src/pretrained or src/pretrained alike), or GANKIT_PRETRAINED_DIR. */
export function pretrainedDir(): string {
  if (process.env.GANKIT_PRETRAINED_DIR) return process.env.GANKIT_PRETRAINED_DIR;
  return join(packageRoot(import.meta.url, join('assets', 'featnet')), 'assets', 'pretrained');
}

function readJson<T>(path: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** The models under `root` (folder name = model name), in name order. */
export function listPretrained(root = pretrainedDir()): PretrainedInfo[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => existsSync(join(root, n, 'info.json')))
    .sort()
    .map((n) => ({ ...readJson<PretrainedInfo>(join(root, n, 'info.json')), name: n }));
}

/** Weights (G/…, D/…) are rounded to float16 with `half`; the batch-norm statistics (…state/…) never. */
const halfWeights = (name: string): boolean => /^[GD]\//.test(name);

/**
 * Writes a trainer's generator (its sampling weights) and optionally its D as
 * assets/pretrained/<name>; `half`: weights as float16 (info.storage says so).
 */
export function packPretrained(trainer: Trainer, info: Omit<PretrainedInfo, 'step' | 'weights' | 'name' | 'storage'> & { name: string }, root = pretrainedDir(), options: { half?: boolean } = {}): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(info.name)) throw new InputError(`pretrained name '${info.name}': lower-case letters, digits and dashes`);
  const dir = join(root, info.name);
  makeFolder(dir);
  const arrays: CheckpointArrays = {};
  trainer.samplingWeights().forEach((v, i) => (arrays[`G/${i}`] = v.dataSync() as Float32Array));
  trainer.G.state?.forEach((v, i) => (arrays[`Gstate/${i}`] = v.dataSync() as Float32Array));
  if (info.discriminator) {
    trainer.D.variables.forEach((v, i) => (arrays[`D/${i}`] = v.dataSync() as Float32Array));
    trainer.D.state?.forEach((v, i) => (arrays[`Dstate/${i}`] = v.dataSync() as Float32Array));
  }
  const weights = trainer.useEma && trainer.config.ema > 0 ? 'ema' : 'generator';
  const header: WeightsHeader = { step: trainer.step, weights };
  // The config as it was, with the compute settings of this machine left out (the user's apply).
  const config = { ...trainer.config, compute: null };
  writeFileAtomic(join(dir, 'weights.bin'), encodeCheckpoint(header, arrays, options.half ? { half: halfWeights } : {}));
  writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writePretrainedInfo(dir, { ...info, step: trainer.step, weights, storage: options.half ? 'float16' : 'float32' });
  return dir;
}

/** (Re)writes a packed model's info.json (bench/pretrained.ts adds the scores measured on the shipped weights). */
export function writePretrainedInfo(dir: string, info: PretrainedInfo): void {
  writeFileAtomic(join(dir, 'info.json'), JSON.stringify(info, null, 2) + '\n');
}

export function pretrainedConfig(name: string, root = pretrainedDir()): RunConfig {
  const dir = join(root, name);
  if (!existsSync(join(dir, 'info.json'))) {
    const names = listPretrained(root).map((p) => p.name);
    throw new InputError(`--pretrained: no pretrained model '${name}' (${names.length ? `there are: ${names.join(', ')}` : 'none are installed'}; gankit pretrained lists them)`);
  }
  const config = readJson<RunConfig>(join(dir, 'config.json'));
  validateConfig(config);
  return config;
}

/**
 * The pretrained model as a task whose trainer holds its weights: G's (and the EMA copy's, so that
 * sampling reads them either way) and, where shipped, D's. The caller disposes the task.
 * `evaluate`: with the image evaluator (the feature network), so that task.evaluate(step, true) scores it
 * (on `evalSamples` samples, default the config's).
 */
export async function openPretrained(name: string, root = pretrainedDir(), options: { evaluate?: boolean; evalSamples?: number } = {}): Promise<{ task: RunTask; trainer: Trainer; config: RunConfig; info: PretrainedInfo }> {
  const shipped = pretrainedConfig(name, root);
  const config = options.evalSamples ? { ...shipped, evalSamples: options.evalSamples } : shipped;
  const dir = join(root, name);
  const info = { ...readJson<PretrainedInfo>(join(dir, 'info.json')), name };
  const weightsPath = join(dir, 'weights.bin');
  if (!existsSync(weightsPath)) throw new InputError(`${weightsPath}: missing`);
  const file = decodeCheckpoint<WeightsHeader>(readFileSync(weightsPath), weightsPath);
  // Sampling needs no training images: Fashion-MNIST and MNIST are not read unless scoring is asked for.
  const task = await createTask(config, { evaluate: options.evaluate ?? false, withoutData: !options.evaluate });
  try {
    const t = task.trainer;
    try {
      t.loadWeights(file.arrays, file.header.step, info.discriminator);
    } catch (e) {
      throw new InputError(`${join(dir, 'weights.bin')}: does not fit config.json's model (${(e as Error).message.replace(/^checkpoint: /, '')})`);
    }
    return { task, trainer: t, config, info };
  } catch (e) {
    task.dispose();
    throw e;
  }
}
