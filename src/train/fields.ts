/**
 * The run config's fields, one row each: path, type, default (one value, one per data kind, or
 * the loss's paper preset), one doc line and the `gankit train` flag that sets it. Validation,
 * the known-key sets, the CLI's flag map and `gankit train --help` are all generated from this
 * table; the loss settings (`hyper.*`, the optimisers, n_critic) default to the loss's preset and
 * nowhere else. `RunConfig` below is the TypeScript shape of the same fields.
 */
import { BACKENDS, OPTIMIZER_NAMES } from '../engine/index.js';
import type { ComputeSettings, OptimizerSettings } from '../engine/index.js';
import { hyperparameterRows, LOSS_NAMES, VARIANT_NAMES, getLoss } from '../losses/index.js';
import type { HyperparameterRow } from '../losses/index.js';
import type { InfoganSettings, LossHyperparameters } from '../losses/index.js';
import { ACTIVATIONS, MlpSpec } from '../models/mlp.js';
import { IMAGE_ARCHITECTURES, NORMS, Norm, ImageArchitecture } from '../models/conv.js';
import { POINT_DATASETS } from '../data/points.js';
import { DataKind, IMAGE_DATASETS, dataKindOf } from '../data/kinds.js';
import { ConfigError } from '../errors.js';
import { trueOrFalse, FieldType, integerIn, listOf, nonNegativeInteger, numberIn, oneOf, positiveIntegerUpTo, positiveNumber, text, checkValue, Json } from '../schema.js';

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

export type InfoganConfig = InfoganSettings;

export interface RunConfig {
  /** 'toy': the paper preset at the 2-D scale (default for points); 'paper': the paper preset exactly (default for images). */
  profile: 'toy' | 'paper';
  data: DataConfig;
  loss: string;
  hyper: LossHyperparameters;
  model: {
    noiseDim: number;
    /** 2-D points: the MLPs (absent for images). */
    generator?: MlpSpec;
    discriminator?: MlpSpec;
    /** 'mlp' for 2-D points; images: dcgan28 (default for 28×28) or lucic28, dcgan32, dcgan64. */
    arch?: 'mlp' | ImageArchitecture;
    /** Image D's norm; default batch, or none for the gradient-penalty losses. */
    norm?: Norm;
    /** Spectral normalisation of D's weights (Miyato et al. 2018); absent = off. */
    sn?: boolean;
    /** Spectral norm of G (images). */
    snG?: boolean;
    /** lucic28: units of G's hidden fully connected layer (absent: the paper's 1024). */
    fcG?: number;
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
  /** InfoGAN (Chen et al. 2016): latent codes, a Q head on D, and λ·L_I subtracted from both losses. null = off. */
  infogan: InfoganConfig | null;
  /** Generator weight EMA decay; 0 = off. Samples and metrics use the EMA weights when on. */
  ema: number;
  /**
   * What the run computed with (native BLAS, wasm and BLAS threads, the kernel set): recorded when it starts, and
   * used again by resume so that a resumed run stays bit-identical. null: decided at the start.
   */
  compute: ComputeSettings | null;
  logEvery: number;
  plotEvery: number;
  checkpointEvery: number;
  evalSamples: number;
  /** 2-D: the exact W₁ on this many points at plot steps (absent: not computed). */
  exactW1Samples?: number;
  /** Images, batch-norm G: training-mode batches averaged for the standing statistics (absent: STANDING_BATCHES, 64). */
  standingBatches?: number;
}

/** What a default may depend on: the data kind and name, and what the user asked for. */
export interface DefaultContext {
  kind: DataKind;
  dataName: string;
  overrides: Json;
}

/** A field's default: a value, one value per data kind, computed from the context, or (a group) the loss's preset. */
export type FieldDefault = { value: unknown } | { perKind: Record<DataKind, unknown> } | { compute: (ctx: DefaultContext) => unknown } | 'preset';

export interface FlagSpec {
  name: string;
  /** A flag without a value: it sets the field to this. */
  switch?: unknown;
  /** The value's name in --help (default from the type: N, X or NAME). */
  arg?: string;
  /** --help's line when it differs from the field's doc (a flag that sets several fields). */
  doc?: string;
}

export interface ConfigField {
  path: string;
  /** A value type, or 'group' for an object of fields (`data`, `model.generator`, …). */
  type: FieldType | 'group';
  /** null as well as a group (InfoGAN off). */
  nullable?: boolean;
  default?: FieldDefault;
  doc: string;
  flag?: FlagSpec;
  /** Data kinds the field belongs to (default: every kind); elsewhere it has no default and is not required. */
  kinds?: readonly DataKind[];
  /** Whether a config must have it: default, a field with a default (for its kinds). */
  required?: boolean | readonly DataKind[];
  /** A check beyond the type (its message names the field); runs after the type check. */
  check?: (value: unknown, config: RunConfig) => void;
  /** The type for this config when it depends on it (a loss's own range for a hyper-parameter). */
  typeFor?: (config: RunConfig) => FieldType;
}

const value = (v: unknown): FieldDefault => ({ value: v });

/**
 * Bounds where a larger value makes no sense or cannot fit the wasm heap (4 GiB): steps and
 * intervals 2³¹; a batch 2¹⁶; scored samples 50,000 (the FID papers' count); network sizes.
 */
export const LIMITS = {
  steps: 2 ** 31,
  batchSize: 2 ** 16,
  evalSamples: 50_000,
  noiseDim: 4096,
  depth: 64,
  width: 65_536,
  nCritic: 1000,
  /** Weights of one 2-D MLP: 2²⁵ floats are 128 MiB, with the optimiser's slots and the gradients about 4× that. */
  mlpWeights: 2 ** 25,
  /** Activations of one batch through one 2-D MLP (batch × width × depth): 2²⁷ floats are 512 MiB, kept for the backward pass. */
  mlpActivations: 2 ** 27,
} as const;
const STEPS = positiveIntegerUpTo(LIMITS.steps);
const perKind = (values: Record<DataKind, unknown>): FieldDefault => ({ perKind: values });
const PRESET: FieldDefault = 'preset';
const isFolder = (ctx: DefaultContext) => ctx.dataName.startsWith('folder:');
const folderSize = (ctx: DefaultContext): number => {
  const data = ctx.overrides.data as Json | undefined;
  return typeof data?.size === 'number' ? data.size : 32;
};

const DATA_NAMES = [...POINT_DATASETS, ...IMAGE_DATASETS, 'csv:PATH', 'folder:PATH'];

function checkDataName(v: unknown): void {
  const name = v as string;
  if (name.startsWith('csv:')) {
    if (name.length <= 4) throw new ConfigError('data.name', "csv: needs a path, e.g. 'csv:points.csv'");
  } else if (name.startsWith('folder:')) {
    if (name.length <= 7) throw new ConfigError('data.name', "folder: needs a path, e.g. 'folder:./images'");
  } else if (!DATA_NAMES.includes(name)) {
    checkValue('data.name', oneOf(DATA_NAMES), name);
  }
}

function checkArch(v: unknown, c: RunConfig): void {
  if (kindOfConfig(c) === 'images') checkValue('model.arch', oneOf(IMAGE_ARCHITECTURES), v);
  else if (v !== 'mlp') throw new ConfigError('model.arch', `'${String(v)}' is an image architecture; ${c.data.name} is 2-D data (use 'mlp')`);
}

function mlpFields(prefix: 'model.generator' | 'model.discriminator', who: string): ConfigField[] {
  const points = ['points'] as const;
  return [
    { path: prefix, type: 'group', doc: `${who}'s MLP (2-D points)`, kinds: points },
    { path: `${prefix}.depth`, type: positiveIntegerUpTo(LIMITS.depth), default: value(3), doc: 'hidden layers', kinds: points },
    { path: `${prefix}.width`, type: positiveIntegerUpTo(LIMITS.width), default: value(64), doc: 'units per hidden layer', kinds: points },
    { path: `${prefix}.activation`, type: oneOf(ACTIVATIONS), default: value('relu'), doc: 'hidden activation', kinds: points },
    { path: `${prefix}.layerNorm`, type: trueOrFalse, default: value(false), doc: 'layer norm before each hidden activation', kinds: points },
  ];
}

function optimizerFields(prefix: 'optimizerD' | 'optimizerG', who: string): ConfigField[] {
  return [
    { path: prefix, type: 'group', default: PRESET, doc: `${who}'s optimiser (default: the loss's preset)` },
    { path: `${prefix}.name`, type: oneOf(OPTIMIZER_NAMES), required: true, doc: 'adam, rmsprop or sgd' },
    { path: `${prefix}.lr`, type: positiveNumber, required: true, doc: 'learning rate', flag: { name: 'lr', doc: 'learning rate of both networks' } },
    { path: `${prefix}.beta1`, type: numberIn(0, 1, true), doc: 'Adam β1' },
    { path: `${prefix}.beta2`, type: numberIn(0, 1, true), doc: 'Adam β2' },
    { path: `${prefix}.momentum`, type: numberIn(0, 1, true), doc: 'SGD/RMSProp momentum' },
    { path: `${prefix}.decay`, type: numberIn(0, 1, true), doc: 'RMSProp decay ρ' },
  ];
}

/** A hyper-parameter's row: the registry's, with a loss's own range where it has one (BEGAN's γ). */
const hyperField = (name: string, row: HyperparameterRow): ConfigField => ({
  path: `hyper.${name}`,
  type: row.type,
  doc: row.doc,
  flag: row.flag ? { name: row.flag } : undefined,
  typeFor: (c) => getLoss(c.loss).hyperparameters?.[name]?.type ?? row.type,
});

/** The hyper-parameter rows: every registered loss's (src/losses/registry.ts `hyperparameterRows`). */
function hyperFields(): ConfigField[] {
  return [
    { path: 'hyper', type: 'group', default: PRESET, doc: "the loss's hyper-parameters (default: its preset; `gankit losses` lists them)" },
    ...Object.entries(hyperparameterRows()).map(([name, row]) => hyperField(name, row)),
  ];
}

const FIELDS: ConfigField[] = [
  {
    path: 'profile',
    type: oneOf(['toy', 'paper'], "'toy' or 'paper'"),
    default: perKind({ points: 'toy', images: 'paper' }),
    doc: "toy: the paper preset at 2-D scale (lr 1e-3 decayed linearly, plus the loss's own 2-D settings); paper: the preset exactly",
    flag: { name: 'profile', arg: 'P' },
  },
  { path: 'data', type: 'group', doc: 'the data' },
  { path: 'data.name', type: text, default: value('ring8'), doc: '2-D: ring8, grid25, spiral, moons, csv:PATH; images: fashion-mnist, mnist, folder:PATH', flag: { name: 'data' }, check: checkDataName },
  { path: 'data.size', type: oneOf([28, 32, 64]), default: { compute: (ctx) => (isFolder(ctx) ? folderSize(ctx) : undefined) }, doc: 'folder images: side length in pixels (28, 32 or 64)', flag: { name: 'size' }, kinds: ['images'], required: false },
  { path: 'data.channels', type: oneOf([1, 3]), default: { compute: (ctx) => (isFolder(ctx) ? 3 : undefined) }, doc: 'folder images: 3 (RGB) or 1 (grayscale)', flag: { name: 'channels' }, kinds: ['images'], required: false },
  { path: 'data.skipUnreadable', type: trueOrFalse, doc: 'folder images: skip (and list) files that cannot be read', flag: { name: 'skip-unreadable', switch: true }, kinds: ['images'] },
  { path: 'data.radius', type: positiveNumber, doc: 'ring8: the radius (default 2)', kinds: ['points'] },
  { path: 'data.std', type: positiveNumber, doc: "2-D mixtures: each component's σ (ring8 0.02, grid25 0.05)", kinds: ['points'] },
  {
    path: 'loss',
    type: oneOf(() => LOSS_NAMES),
    default: perKind({ points: 'wgan-gp', images: 'ns' }),
    doc: 'the adversarial loss, or a variant that wraps ns (cgan, acgan, infogan); `gankit losses` lists them (default: wgan-gp for 2-D points, ns for images)',
    flag: { name: 'loss' },
  },
  { path: 'model', type: 'group', doc: 'the networks' },
  { path: 'model.noiseDim', type: positiveIntegerUpTo(LIMITS.noiseDim), default: perKind({ points: 2, images: 64 }), doc: 'size of the noise z' },
  ...mlpFields('model.generator', 'G'),
  ...mlpFields('model.discriminator', 'D'),
  {
    path: 'model.arch',
    type: text,
    default: { compute: (ctx) => (ctx.kind === 'points' ? 'mlp' : isFolder(ctx) ? ({ 28: 'dcgan28', 64: 'dcgan64' } as Record<number, string>)[folderSize(ctx)] ?? 'dcgan32' : 'dcgan28') },
    doc: `mlp for 2-D points; images: ${IMAGE_ARCHITECTURES.join(', ')} (default dcgan28 for 28×28 data, dcgan28/32/64 for folders by --size; lucic28 is the study protocol's)`,
    flag: { name: 'arch' },
    required: ['images'],
    check: checkArch,
  },
  { path: 'model.norm', type: oneOf(NORMS), doc: "image D's norm: batch, layer, none (default: batch; none with a penalty)", flag: { name: 'norm' }, kinds: ['images'] },
  {
    path: 'model.sn',
    type: trueOrFalse,
    doc: "spectral normalisation of D's weights (Miyato et al. 2018: W/σ(W), one power iteration per D step; not for BEGAN's autoencoder)",
    flag: { name: 'sn', switch: true },
    check: (v, c) => {
      if (v === true && getLoss(c.loss).discriminator === 'autoencoder') throw new ConfigError('model.sn', `${c.loss}'s discriminator is an autoencoder; spectral norm is for critics and discriminators`);
    },
  },
  {
    path: 'model.snG',
    type: trueOrFalse,
    doc: "spectral normalisation of G's dense and transposed-conv weights (SAGAN; one power iteration per G step; images)",
    flag: { name: 'sn-g', switch: true },
    kinds: ['images'],
    check: (v, c) => {
      if (v === true && kindOfConfig(c) !== 'images') throw new ConfigError('model.snG', `spectral norm of G is for image generators; ${c.data.name} is 2-D data (--sn normalises D)`);
    },
  },
  {
    path: 'model.fcG',
    type: positiveIntegerUpTo(4096),
    doc: "lucic28: units of G's hidden fully connected layer (default 1024, the InfoGAN paper's; its FC into the 7·7·128 map holds 6.4 M of G's 6.6 M weights at 1024)",
    flag: { name: 'fc-g' },
    kinds: ['images'],
  },
  { path: 'steps', type: STEPS, default: perKind({ points: 1000, images: 2000 }), doc: 'generator steps', flag: { name: 'steps' } },
  { path: 'batchSize', type: positiveIntegerUpTo(LIMITS.batchSize), default: perKind({ points: 256, images: 64 }), doc: 'batch size', flag: { name: 'batch' } },
  { path: 'seed', type: integerIn(0, 0xffffffff), default: value(1), doc: 'random seed', flag: { name: 'seed' } },
  { path: 'backend', type: oneOf(BACKENDS), default: value('wasm'), doc: `tfjs backend: ${BACKENDS.join(', ')}`, flag: { name: 'backend' } },
  { path: 'lrSchedule', type: oneOf(['constant', 'linear']), default: value('constant'), doc: "learning-rate schedule: constant, or linear decay to 0 at the last step (the 'toy' profile's)" },
  { path: 'conditional', type: oneOf(['none', 'concat', 'projection', 'acgan']), default: value('none'), doc: 'class conditioning for labelled images: concat, projection or acgan', flag: { name: 'conditional', arg: 'M' } },
  { path: 'variant', type: text, nullable: true, default: value(null), doc: 'the variant asked for by name (cgan, acgan, infogan), for titles; set by --loss', check: (v) => checkValue('variant', oneOf(VARIANT_NAMES), v) },
  {
    path: 'infogan',
    type: 'group',
    nullable: true,
    default: value(null),
    doc: "InfoGAN's latent codes, Q head and λ·L_I on any loss (null: off)",
    flag: { name: 'infogan', switch: {}, doc: "InfoGAN's codes and Q head (one 10-way categorical and two continuous codes unless the config says)" },
  },
  { path: 'infogan.categorical', type: listOf(integerIn(2), 'a list of code sizes, e.g. [8]'), required: true, doc: 'values of each categorical code (default [10])' },
  { path: 'infogan.continuous', type: nonNegativeInteger, required: true, doc: 'number of continuous U[−1, 1] codes (default 2)' },
  { path: 'infogan.lambdaCategorical', type: numberIn(0, 1e6), required: true, doc: 'λ of the categorical part of L_I (default 1)' },
  { path: 'infogan.lambdaContinuous', type: numberIn(0, 1e6), required: true, doc: 'λ of the continuous part of L_I (default 1)' },
  {
    path: 'ema',
    type: numberIn(0, 1, true),
    default: perKind({ points: 0, images: 0.999 }),
    doc: 'generator weight EMA decay, warmed up as min(decay, (1+t)/(10+t)); samples and metrics use the EMA weights; 0 = off (default 0.999 for images, 0 for 2-D)',
    flag: { name: 'ema' },
  },
  { path: 'compute', type: 'group', nullable: true, default: value(null), doc: 'native BLAS and threads, recorded when the run starts (null: the policy for the workload; see docs/speed.md)' },
  { path: 'compute.native', type: trueOrFalse, required: true, doc: 'the native BLAS kernels were on' },
  { path: 'compute.wasmThreads', type: integerIn(1, 8), required: true, doc: 'XNNPACK threads of the wasm backend' },
  { path: 'compute.blasThreads', type: integerIn(1, 64), required: true, doc: 'BLAS threads' },
  { path: 'compute.kernelSet', type: text, required: false, doc: 'the kernel set that computed the run (gankit info; absent: a run started before kernel sets were recorded)' },
  { path: 'compute.blas', type: text, required: false, doc: 'the BLAS library and its CPU kernels, when native was on' },
  { path: 'logEvery', type: STEPS, default: value(50), doc: 'metrics every N steps' },
  { path: 'plotEvery', type: STEPS, default: perKind({ points: 500, images: 200 }), doc: 'pictures (and image metrics) every N steps', flag: { name: 'plot-every' } },
  { path: 'checkpointEvery', type: STEPS, default: perKind({ points: 500, images: 200 }), doc: 'checkpoints every N steps (and at the end)' },
  {
    path: 'exactW1Samples',
    type: positiveIntegerUpTo(5000),
    doc: '2-D: also the exact W₁ (optimal assignment) between this many generated and real points at each plot step (O(n³): ~1 s for 1,000); off unless set',
    kinds: ['points'],
  },
  {
    path: 'standingBatches',
    type: positiveIntegerUpTo(1024),
    doc: 'images, batch-norm G: training-mode batches of max(batch size, 64) samples whose batch-norm statistics, averaged, are the standing statistics that samples, metrics and exports use; 64 unless set',
    kinds: ['images'],
  },
  { path: 'evalSamples', type: positiveIntegerUpTo(LIMITS.evalSamples), default: perKind({ points: 2500, images: 1000 }), doc: 'samples scored at each logged step (images: at plot steps)', flag: { name: 'eval-samples' } },
  ...hyperFields(),
  ...optimizerFields('optimizerD', 'D'),
  ...optimizerFields('optimizerG', 'G'),
  { path: 'nCritic', type: positiveIntegerUpTo(LIMITS.nCritic), default: PRESET, doc: 'discriminator steps per generator step', flag: { name: 'n-critic' } },
];

/** The table as built when gankit loaded (configFields() adds what losses registered since bring). */
export const CONFIG_FIELDS: readonly ConfigField[] = FIELDS;

/**
 * The config field table, with a row for each hyper-parameter of every loss registered so far: a
 * loss registered after load (`registerLoss`) brings its own, and with them their flags and help.
 */
export function configFields(): readonly ConfigField[] {
  const rows = Object.entries(hyperparameterRows()).filter(([name]) => !FIELDS.some((f) => f.path === `hyper.${name}`));
  if (rows.length === 0) return FIELDS;
  for (const [name, row] of rows) {
    const clash = row.flag !== undefined && FIELDS.find((f) => f.flag?.name === row.flag);
    if (clash) throw new Error(`hyper-parameter '${name}': its flag --${row.flag} sets ${clash.path} already`);
  }
  const at = FIELDS.map((f) => f.path.startsWith('hyper.')).lastIndexOf(true) + 1;
  FIELDS.splice(at, 0, ...rows.map(([name, row]) => hyperField(name, row)));
  return FIELDS;
}

/** The data kind of a config (from its dataset's name). */
export const kindOfConfig = (c: { data: { name: string } }): DataKind => dataKindOf(c.data.name);

export function fieldByPath(path: string): ConfigField | undefined {
  return configFields().find((f) => f.path === path);
}
