/**
 * A run is fully described by one config (saved as `config.json` in its folder). Resolution order:
 * built-in defaults ← the loss's paper preset (optimisers, n_critic, hyper-parameters) ← the
 * user's config file ← command-line flags. Every flag is an override of a config field.
 *
 * Validation names the field and what is wrong; the CLI turns a ConfigError into one line and
 * exit code 2.
 */
import { getLoss, LOSS_NAMES, LossHyperparameters, OptimizerSettings } from '../losses/registry.js';
import { LSGAN_CODINGS } from '../losses/lsgan.js';
import { ACTIVATIONS, MlpSpec } from '../models/mlp.js';
import { BACKENDS } from '../engine/backend.js';
import { TOY_DATASETS } from '../data/toy2d.js';
import { isImageData } from '../data/imageData.js';
import { IMAGE_ARCHITECTURES, NORMS, Norm } from '../models/conv.js';
import { getVariant, VARIANTS } from '../losses/registry.js';

import { InputError } from '../errors.js';

export class ConfigError extends InputError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export interface DataConfig {
  /** ring8 | grid25 | spiral | moons | csv:PATH | fashion-mnist | mnist | folder:PATH */
  name: string;
  /** folder: images are resized to size × size (default 32; 64 selects the 64×64 DCGAN). */
  size?: number;
  /** folder: 1 (grayscale) or 3 (RGB, default). */
  channels?: 1 | 3;
  /** folder: skip unreadable files (with a warning) instead of stopping. */
  skipUnreadable?: boolean;
  /** ring8 radius. */
  radius?: number;
  /** Mixture component σ. */
  std?: number;
}

export interface InfoganConfig {
  /** Values of each categorical code, e.g. [8]. */
  categorical: number[];
  /** Number of continuous U[−1, 1] codes. */
  continuous: number;
  /** λ for the categorical and the continuous parts (official code: 1 and 1). */
  lambdaCategorical: number;
  lambdaContinuous: number;
}

export const DEFAULT_INFOGAN: InfoganConfig = { categorical: [10], continuous: 2, lambdaCategorical: 1, lambdaContinuous: 1 };

export interface RunConfig {
  /**
   * 'toy' (default): the paper preset adapted to the 2-D scale (see TOY_PROFILE); 'paper': the
   * paper preset exactly. Either way config.json records every resolved value.
   */
  profile: 'toy' | 'paper';
  data: DataConfig;
  loss: string;
  hyper: LossHyperparameters;
  model: {
    noiseDim: number;
    generator: MlpSpec;
    discriminator: MlpSpec;
    /** 'mlp' for 2-D data; image data: lucic28 (28×28), dcgan32, dcgan64. */
    arch?: 'mlp' | (typeof IMAGE_ARCHITECTURES)[number];
    /** Image D's norm; default batch, or none for the gradient-penalty losses. */
    norm?: Norm;
  };
  /**
   * Class conditioning (needs labelled data): 'concat' (cGAN: label planes into D),
   * 'projection' (projection D), 'acgan' (auxiliary classifier head). G always gets onehot(y).
   */
  conditional: 'none' | 'concat' | 'projection' | 'acgan';
  /** The variant the run was asked for by name (cgan, acgan, infogan), for titles; null otherwise. */
  variant: string | null;
  optimizerD: OptimizerSettings;
  optimizerG: OptimizerSettings;
  /** Discriminator steps per generator step. */
  nCritic: number;
  /** Generator steps. */
  steps: number;
  batchSize: number;
  seed: number;
  backend: string;
  /** Learning-rate schedule: 'constant', or 'linear' decay to 0 at the last step. */
  lrSchedule: 'constant' | 'linear';
  /**
   * InfoGAN (Chen et al. 2016): latent codes appended to the noise, a Q head on D, and λ·L_I
   * subtracted from both losses. null = off.
   */
  infogan: InfoganConfig | null;
  /** Generator weight EMA decay; 0 = off. Samples and metrics use the EMA weights when on. */
  ema: number;
  /** Metrics (losses, modes, gradient norms) every this many steps. */
  logEvery: number;
  /** Scatter plots every this many steps. */
  plotEvery: number;
  /** Checkpoints every this many steps (and always at the end). */
  checkpointEvery: number;
  /** Samples used for the mode metrics (benchmark protocol: 2,500). */
  evalSamples: number;
}

/**
 * Defaults for the 2-D runs. The loss's paper preset supplies optimisers, n_critic and λ/γ/c; a few
 * values are set here for the 2-D toy scale and say so in `TOY_OVERRIDES`.
 */
export const DEFAULT_CONFIG: Omit<RunConfig, 'hyper' | 'optimizerD' | 'optimizerG' | 'nCritic'> = {
  profile: 'toy',
  data: { name: 'ring8' },
  loss: 'wgan-gp',
  model: {
    noiseDim: 2,
    generator: { depth: 3, width: 64, activation: 'relu', layerNorm: false },
    discriminator: { depth: 3, width: 64, activation: 'relu', layerNorm: false },
  },
  steps: 1000,
  batchSize: 256,
  seed: 1,
  backend: 'wasm',
  lrSchedule: 'constant',
  conditional: 'none',
  variant: null,
  infogan: null,
  ema: 0,
  logEvery: 50,
  plotEvery: 500,
  checkpointEvery: 500,
  evalSamples: 2500,
};

type Json = Record<string, unknown>;

/**
 * The 2-D toy profile: papers tune for images and 10⁴–10⁵ steps; a 2-D run here has ~1,000. Every
 * loss keeps its paper optimiser type, betas, n_critic and λ/γ/c, with lr 1e-3 decayed linearly
 * to 0. WGAN-GP takes its authors' own 2-D toy-code settings: λ 0.1 and Adam β (0.5, 0.9)
 * (measured here: with the image preset λ 10, β1 0 it lost modes on some seeds at this budget).
 */
export function toyProfile(loss: string): Json {
  const lr = { optimizerD: { lr: 1e-3 }, optimizerG: { lr: 1e-3 }, lrSchedule: 'linear' };
  if (loss === 'wgan-gp') return mergeConfig(lr, { hyper: { lambda: 0.1 }, optimizerD: { beta1: 0.5 }, optimizerG: { beta1: 0.5 } });
  return lr;
}

/**
 * Defaults for image data (Lucic et al.'s protocol in small): z 64-D, batch 64, the InfoGAN/Lucic
 * 28×28 architecture for (Fashion-)MNIST, DCGAN for folders; sample grids and FID every 200 steps.
 */
export function imageDefaults(dataName: string, overrides: Json): Json {
  const data = isObject(overrides.data) ? overrides.data : {};
  const size = typeof data.size === 'number' ? data.size : 32;
  const arch = dataName.startsWith('folder:') ? (size === 64 ? 'dcgan64' : 'dcgan32') : 'lucic28';
  return {
    model: { noiseDim: 64, arch },
    data: dataName.startsWith('folder:') ? { size, channels: 3 } : {},
    batchSize: 64,
    steps: 2000,
    logEvery: 50,
    plotEvery: 200,
    checkpointEvery: 200,
    evalSamples: 1000,
  };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of plain objects; arrays and scalars replace. */
export function mergeConfig<T>(base: T, override: unknown): T {
  if (!isObject(override)) return base;
  const out: Json = { ...(base as Json) };
  for (const [k, v] of Object.entries(override)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && isObject(out[k]) ? mergeConfig(out[k], v) : v;
  }
  return out as T;
}

const KNOWN_TOP_LEVEL = new Set([...Object.keys(DEFAULT_CONFIG), 'hyper', 'optimizerD', 'optimizerG', 'nCritic']);

/** defaults ← preset(loss) ← overrides, then validated. `overrides` is a parsed config file merged with flags. */
export function resolveConfig(overrides: Json = {}): RunConfig {
  for (const key of Object.keys(overrides)) {
    if (!KNOWN_TOP_LEVEL.has(key)) throw new ConfigError(key, `unknown config field (known: ${[...KNOWN_TOP_LEVEL].join(', ')})`);
  }
  // A variant name (cgan, acgan, infogan) selects its base loss, its conditioning or codes, and its preset.
  const asked = overrides.loss ?? DEFAULT_CONFIG.loss;
  const variant = typeof asked === 'string' ? VARIANTS.find((v) => v.name === asked) : undefined;
  if (variant) {
    const variantFields: Json = { loss: variant.baseLoss, variant: variant.name };
    if (variant.name === 'cgan') variantFields.conditional = overrides.conditional ?? variant.conditioning ?? 'concat';
    if (variant.name === 'acgan') variantFields.conditional = 'acgan';
    if (variant.name === 'infogan' && !isObject(overrides.infogan)) variantFields.infogan = {};
    variantFields.optimizerD = mergeConfig(getVariant(variant.name).preset.optimizerD, overrides.optimizerD);
    variantFields.optimizerG = mergeConfig(getVariant(variant.name).preset.optimizerG, overrides.optimizerG);
    overrides = { ...overrides, ...variantFields };
  }
  const lossName = overrides.loss;
  if (lossName !== undefined && (typeof lossName !== 'string' || !LOSS_NAMES.includes(lossName))) {
    throw new ConfigError('loss', `unknown loss '${String(lossName)}' (choose one of ${[...LOSS_NAMES, ...VARIANTS.map((v) => v.name)].join(', ')})`);
  }
  const resolvedLoss = (lossName as string | undefined) ?? DEFAULT_CONFIG.loss;
  const preset = getLoss(resolvedLoss).preset;
  const dataName = isObject(overrides.data) && typeof overrides.data.name === 'string' ? overrides.data.name : DEFAULT_CONFIG.data.name;
  const images = isImageData(dataName);
  const base: RunConfig = {
    ...structuredClone(DEFAULT_CONFIG),
    hyper: structuredClone(preset.hyper),
    optimizerD: structuredClone(preset.optimizerD),
    optimizerG: structuredClone(preset.optimizerG),
    nCritic: preset.nCritic,
  };
  // Image data always trains with the paper preset; 'toy' adapts it to the 2-D scale only.
  const profile = overrides.profile ?? (images ? 'paper' : DEFAULT_CONFIG.profile);
  if (profile !== 'toy' && profile !== 'paper') throw new ConfigError('profile', `must be 'toy' or 'paper', got ${JSON.stringify(profile)}`);
  let profiled = profile === 'toy' ? mergeConfig(base, toyProfile(resolvedLoss)) : base;
  if (images) profiled = mergeConfig(profiled, imageDefaults(dataName, overrides));
  profiled.profile = profile;
  // An infogan object fills in from the paper's codes (one 10-way categorical, two continuous, λ 1).
  if (isObject(overrides.infogan)) profiled.infogan = { ...DEFAULT_INFOGAN, categorical: [...DEFAULT_INFOGAN.categorical] };
  const config = mergeConfig(profiled, overrides);
  validateConfig(config);
  return config;
}

function positiveInteger(field: string, v: unknown): void {
  if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) throw new ConfigError(field, `must be a positive integer, got ${JSON.stringify(v)}`);
}
function positiveNumber(field: string, v: unknown): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new ConfigError(field, `must be a positive number, got ${JSON.stringify(v)}`);
}
function inRange(field: string, v: unknown, lo: number, hi: number, hiOpen = false): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= lo && (hiOpen ? v < hi : v <= hi))) {
    throw new ConfigError(field, `must be a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${JSON.stringify(v)}`);
  }
}
function oneOf(field: string, v: unknown, options: readonly string[]): void {
  if (typeof v !== 'string' || !options.includes(v)) throw new ConfigError(field, `must be one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
}

function validateOptimizer(field: string, o: OptimizerSettings): void {
  if (!isObject(o)) throw new ConfigError(field, 'must be an object');
  oneOf(`${field}.name`, o.name, ['adam', 'rmsprop', 'sgd']);
  positiveNumber(`${field}.lr`, o.lr);
  if (o.beta1 !== undefined) inRange(`${field}.beta1`, o.beta1, 0, 1, true);
  if (o.beta2 !== undefined) inRange(`${field}.beta2`, o.beta2, 0, 1, true);
  if (o.momentum !== undefined) inRange(`${field}.momentum`, o.momentum, 0, 1, true);
  if (o.decay !== undefined) inRange(`${field}.decay`, o.decay, 0, 1, true);
}

function validateMlp(field: string, m: MlpSpec): void {
  if (!isObject(m)) throw new ConfigError(field, 'must be an object');
  positiveInteger(`${field}.depth`, m.depth);
  positiveInteger(`${field}.width`, m.width);
  oneOf(`${field}.activation`, m.activation, ACTIVATIONS);
  if (typeof m.layerNorm !== 'boolean') throw new ConfigError(`${field}.layerNorm`, `must be true or false, got ${JSON.stringify(m.layerNorm)}`);
}

export function validateConfig(c: RunConfig): void {
  if (!isObject(c.data) || typeof c.data.name !== 'string') throw new ConfigError('data.name', 'must be a dataset name');
  const images = isImageData(c.data.name);
  if (c.data.name.startsWith('csv:')) {
    if (c.data.name.length <= 4) throw new ConfigError('data.name', "csv: needs a path, e.g. 'csv:points.csv'");
  } else if (c.data.name.startsWith('folder:')) {
    if (c.data.name.length <= 7) throw new ConfigError('data.name', "folder: needs a path, e.g. 'folder:./images'");
  } else if (!images) {
    oneOf('data.name', c.data.name, [...TOY_DATASETS, 'fashion-mnist', 'mnist', 'csv:PATH', 'folder:PATH']);
  }
  if (c.data.size !== undefined) oneOf('data.size', String(c.data.size), ['28', '32', '64']);
  if (c.data.channels !== undefined) oneOf('data.channels', String(c.data.channels), ['1', '3']);
  const arch = c.model?.arch ?? 'mlp';
  if (images) {
    oneOf('model.arch', arch, IMAGE_ARCHITECTURES);
    if (c.model.norm !== undefined) oneOf('model.norm', c.model.norm, NORMS);
  } else if (arch !== 'mlp') {
    throw new ConfigError('model.arch', `'${arch}' is an image architecture; ${c.data.name} is 2-D data (use 'mlp')`);
  }
  oneOf('conditional', c.conditional, ['none', 'concat', 'projection', 'acgan']);
  if (c.conditional !== 'none' && !images) throw new ConfigError('conditional', `needs labelled image data (fashion-mnist, mnist, folder:PATH with class sub-folders), not ${c.data.name}`);
  if (c.conditional !== 'none' && c.infogan !== null) throw new ConfigError('infogan', `cannot be combined with conditional '${c.conditional}'`);
  if (c.conditional !== 'none' && getLoss(c.loss).discriminator === 'autoencoder') throw new ConfigError('conditional', `cannot be combined with '${c.loss}': its autoencoder discriminator takes no labels`);
  if (c.data.radius !== undefined) positiveNumber('data.radius', c.data.radius);
  if (c.data.std !== undefined) positiveNumber('data.std', c.data.std);
  oneOf('loss', c.loss, LOSS_NAMES);
  positiveInteger('steps', c.steps);
  positiveInteger('batchSize', c.batchSize);
  positiveInteger('nCritic', c.nCritic);
  if (!(Number.isInteger(c.seed) && c.seed >= 0 && c.seed <= 0xffffffff)) throw new ConfigError('seed', `must be an integer in [0, 4294967295], got ${JSON.stringify(c.seed)}`);
  oneOf('backend', c.backend, BACKENDS);
  oneOf('lrSchedule', c.lrSchedule, ['constant', 'linear']);
  if (c.infogan !== null) {
    const g = c.infogan as InfoganConfig;
    if (!isObject(g)) throw new ConfigError('infogan', 'must be null or an object { categorical, continuous, lambdaCategorical, lambdaContinuous }');
    if (!Array.isArray(g.categorical)) throw new ConfigError('infogan.categorical', 'must be a list of code sizes, e.g. [8]');
    g.categorical.forEach((k, i) => {
      if (!(Number.isInteger(k) && k >= 2)) throw new ConfigError(`infogan.categorical[${i}]`, `must be an integer ≥ 2, got ${JSON.stringify(k)}`);
    });
    if (!(Number.isInteger(g.continuous) && g.continuous >= 0)) throw new ConfigError('infogan.continuous', `must be a non-negative integer, got ${JSON.stringify(g.continuous)}`);
    if (g.categorical.length === 0 && g.continuous === 0) throw new ConfigError('infogan', 'needs at least one code');
    inRange('infogan.lambdaCategorical', g.lambdaCategorical, 0, 1e6);
    inRange('infogan.lambdaContinuous', g.lambdaContinuous, 0, 1e6);
    if (getLoss(c.loss).discriminator === 'autoencoder') throw new ConfigError('infogan', `cannot be combined with '${c.loss}': its autoencoder discriminator has no Q head`);
  }
  inRange('ema', c.ema, 0, 1, true);
  positiveInteger('logEvery', c.logEvery);
  positiveInteger('plotEvery', c.plotEvery);
  positiveInteger('checkpointEvery', c.checkpointEvery);
  positiveInteger('evalSamples', c.evalSamples);
  positiveInteger('model.noiseDim', c.model?.noiseDim);
  validateMlp('model.generator', c.model.generator);
  validateMlp('model.discriminator', c.model.discriminator);
  validateOptimizer('optimizerD', c.optimizerD);
  validateOptimizer('optimizerG', c.optimizerG);
  const h = c.hyper;
  if (!isObject(h)) throw new ConfigError('hyper', 'must be an object');
  const knownHyper = ['lambda', 'oneSided', 'gamma', 'clipValue', 'warmup', 'coding', 'realLabelSmoothing', 'lambdaK', 'noiseScale', 'perturbation'];
  for (const k of Object.keys(h)) if (!knownHyper.includes(k)) throw new ConfigError(`hyper.${k}`, `unknown hyper-parameter (known: ${knownHyper.join(', ')})`);
  if (h.lambda !== undefined) positiveNumber('hyper.lambda', h.lambda);
  if (h.clipValue !== undefined) positiveNumber('hyper.clipValue', h.clipValue);
  if (h.noiseScale !== undefined) positiveNumber('hyper.noiseScale', h.noiseScale);
  if (h.lambdaK !== undefined) positiveNumber('hyper.lambdaK', h.lambdaK);
  if (h.gamma !== undefined) (c.loss === 'began' ? inRange('hyper.gamma', h.gamma, 0, 1) : positiveNumber('hyper.gamma', h.gamma));
  if (h.realLabelSmoothing !== undefined) inRange('hyper.realLabelSmoothing', h.realLabelSmoothing, 0, 1, true);
  if (h.coding !== undefined) oneOf('hyper.coding', h.coding, Object.keys(LSGAN_CODINGS));
  if (h.perturbation !== undefined) oneOf('hyper.perturbation', h.perturbation, ['uniform', 'gaussian']);
  for (const flag of ['oneSided', 'warmup'] as const) {
    if (h[flag] !== undefined && typeof h[flag] !== 'boolean') throw new ConfigError(`hyper.${flag}`, `must be true or false, got ${JSON.stringify(h[flag])}`);
  }
}
