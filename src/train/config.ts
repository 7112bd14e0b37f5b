/**
 * A run is fully described by one config (saved as `config.json` in its folder). Resolution order:
 * the field table's defaults (src/train/fields.ts; per data kind) ← the loss's paper preset
 * (optimisers, n_critic, hyper-parameters) ← the profile ← the user's config file ← flags.
 *
 * A config is validated once, where it enters: `resolveConfig` (from overrides) or
 * `readRunConfig` (from a run folder, src/runner/run.ts). Errors name the field; the CLI prints them as one line
 * and exits with code 2.
 */
import { getLoss, findVariant, HYPERPARAMETERS, INFOGAN_DEFAULTS, LOSS_NAMES, VARIANT_NAMES, toyPenaltyWeight } from '../losses/index.js';
import type { GanLoss } from '../losses/index.js';
import { dataKindOf } from '../data/kinds.js';
import type { DataKind } from '../data/kinds.js';
import { ConfigError } from '../errors.js';
import { checkNesting, checkValue, describeType, didYouMean, isObject, Json, mergeConfig } from '../schema.js';
import { configFields, ConfigField, DefaultContext, fieldByPath, kindOfConfig, LIMITS, RunConfig } from './fields.js';

export { ConfigError } from '../errors.js';
export { mergeConfig } from '../schema.js';
export { CONFIG_FIELDS, configFields, kindOfConfig } from './fields.js';
export type { RunConfig, DataConfig, InfoganConfig, ConfigField } from './fields.js';

/** The 'toy' profile's rule for every loss: papers tune for images and 10⁴–10⁵ steps, a 2-D run has ~1,000. */
export const TOY_PROFILE: Json = { optimizerD: { lr: 1e-3 }, optimizerG: { lr: 1e-3 }, lrSchedule: 'linear' };

const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('.')));
const lastOf = (path: string) => path.slice(path.lastIndexOf('.') + 1);

function getPath(obj: unknown, path: string): unknown {
  let node = obj;
  for (const key of path.split('.')) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function setPath(obj: Json, path: string, v: unknown): void {
  const keys = path.split('.');
  let node = obj;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]] = v;
}

/** The fields directly inside a group ('' = the top level). */
const childrenOf = (group: string): ConfigField[] => configFields().filter((f) => parentOf(f.path) === group && f.path !== group);

/** Hyper-parameters a config may set for a loss: the table's, and the loss's own. */
function knownHyper(loss: GanLoss | null): string[] {
  return [...new Set([...Object.keys(HYPERPARAMETERS), ...Object.keys(loss?.hyperparameters ?? {})])];
}

/**
 * Refuses a key that is no config field, at any depth, naming its path. `loss` decides the known
 * hyper-parameters (null: leave `hyper` to later, when the loss is known).
 */
function checkKnownKeys(obj: Json, loss: GanLoss | null, group = ''): void {
  for (const [key, v] of Object.entries(obj)) {
    const path = group ? `${group}.${key}` : key;
    if (group === 'hyper') {
      if (loss && !knownHyper(loss).includes(key)) throw new ConfigError(path, `unknown hyper-parameter (known: ${knownHyper(loss).join(', ')})${didYouMean(key, knownHyper(loss))}`);
      continue;
    }
    const field = fieldByPath(path);
    if (!field || key === '__proto__') {
      const known = childrenOf(group).map((f) => lastOf(f.path));
      throw new ConfigError(path, `unknown config field (known: ${known.join(', ')})${didYouMean(key, known)}`);
    }
    if (field.type === 'group' && isObject(v) && (path !== 'hyper' || loss)) checkKnownKeys(v, loss, path);
  }
}

/** The table's defaults for this kind of data, with the loss's preset where a field defaults to it. */
function tableDefaults(ctx: DefaultContext, loss: GanLoss): Json {
  const preset = { hyper: loss.preset.hyper, optimizerD: loss.preset.optimizerD, optimizerG: loss.preset.optimizerG, nCritic: loss.preset.nCritic };
  const out: Json = {};
  for (const f of configFields()) {
    if (f.default === undefined || (f.kinds && !f.kinds.includes(ctx.kind))) continue;
    const d = f.default;
    const v =
      d === 'preset' ? structuredClone(getPath(preset, f.path)) : 'value' in d ? d.value : 'perKind' in d ? d.perKind[ctx.kind] : d.compute(ctx);
    if (v !== undefined) setPath(out, f.path, v);
  }
  return out;
}

/** A variant name (cgan, acgan, infogan) selects its base loss, the fields it configures, and its optimisers. */
function applyVariant(overrides: Json): Json {
  const variant = findVariant(overrides.loss ?? fieldDefault('loss', dataOf(overrides).kind));
  if (!variant) return overrides;
  return {
    ...overrides,
    loss: variant.baseLoss,
    variant: variant.name,
    ...variant.configure(overrides),
    optimizerD: mergeConfig(variant.preset.optimizerD, overrides.optimizerD),
    optimizerG: mergeConfig(variant.preset.optimizerG, overrides.optimizerG),
  };
}

const fieldDefault = (path: string, kind?: DataKind): unknown => {
  const d = fieldByPath(path)?.default;
  return d && d !== 'preset' && 'value' in d ? d.value : d && d !== 'preset' && 'perKind' in d && kind ? d.perKind[kind] : undefined;
};

/** The data's name and kind, before anything else is resolved (the loss's default depends on the kind). */
function dataOf(overrides: Json): { dataName: string; kind: DataKind } {
  const data = isObject(overrides.data) ? overrides.data : {};
  const dataName = typeof data.name === 'string' ? data.name : (fieldDefault('data.name') as string);
  return { dataName, kind: dataKindOf(dataName) };
}

/** A loss or variant named in another case ('WGAN-GP', 'CGAN') as the registry spells it; other names are left for the error. */
function canonicalLossName(overrides: Json): Json {
  const name = overrides.loss;
  if (typeof name !== 'string') return overrides;
  const known = [...LOSS_NAMES, ...VARIANT_NAMES].find((n) => n.toLowerCase() === name.toLowerCase());
  return known && known !== name ? { ...overrides, loss: known } : overrides;
}

/** defaults ← preset(loss) ← profile ← overrides, validated. `overrides` is a parsed config file merged with flags. */
export function resolveConfig(overrides: Json = {}): RunConfig {
  if (!isObject(overrides)) throw new ConfigError('config', 'must be an object');
  checkNesting(overrides, 'config');
  checkKnownKeys(overrides, null);
  overrides = canonicalLossName(overrides);
  const { dataName, kind } = dataOf(overrides);
  overrides = applyVariant(overrides);
  const lossName = overrides.loss ?? fieldDefault('loss', kind);
  if (typeof lossName !== 'string' || !LOSS_NAMES.includes(lossName)) {
    throw new ConfigError('loss', `unknown loss '${String(lossName)}'${didYouMean(lossName, [...LOSS_NAMES, ...VARIANT_NAMES])} (choose one of ${[...LOSS_NAMES, ...VARIANT_NAMES].join(', ')})`);
  }
  const loss = getLoss(lossName);
  const ctx: DefaultContext = { kind, dataName, overrides };
  let config = tableDefaults(ctx, loss);
  const profile = overrides.profile ?? config.profile;
  checkValue('profile', fieldByPath('profile')!.type as Exclude<ConfigField['type'], 'group'>, profile);
  if (profile === 'toy') {
    config = mergeConfig(mergeConfig(config, TOY_PROFILE), loss.toyProfile ?? {});
    const w = toyPenaltyWeight(loss);
    if (w) config = mergeConfig(config, { hyper: { [w.name]: w.toy } });
  }
  // An infogan object fills in from the paper's codes (one 10-way categorical, two continuous, λ 1).
  if (isObject(overrides.infogan)) config.infogan = { ...INFOGAN_DEFAULTS, categorical: [...INFOGAN_DEFAULTS.categorical] };
  const resolved = mergeConfig(config, overrides) as unknown as RunConfig;
  validateConfig(resolved);
  return resolved;
}

/** A field must be present when it says so, has a default for this kind, or (a group) holds such a field. */
function requiredFor(f: ConfigField, kind: DataKind): boolean {
  if (Array.isArray(f.required)) return f.required.includes(kind);
  if (typeof f.required === 'boolean') return f.required;
  if (f.kinds && !f.kinds.includes(kind)) return false;
  if (f.default !== undefined) return true;
  return f.type === 'group' && childrenOf(f.path).some((child) => requiredFor(child, kind));
}

/** Checks every field against the table and the rules between fields; throws a ConfigError naming the first bad one. */
export function validateConfig(c: RunConfig): void {
  if (!isObject(c)) throw new ConfigError('config', 'must be an object');
  checkNesting(c, 'config');
  if (!isObject(c.data) || typeof c.data.name !== 'string') throw new ConfigError('data.name', 'must be a dataset name');
  checkValue('loss', fieldByPath('loss')!.type as Exclude<ConfigField['type'], 'group'>, c.loss);
  const loss = getLoss(c.loss);
  checkKnownKeys(c as unknown as Json, loss);
  const kind = kindOfConfig(c);
  for (const f of configFields()) {
    const parent = parentOf(f.path);
    if (parent && !isObject(getPath(c, parent))) continue; // an absent or null group: its own row decides
    const v = getPath(c, f.path);
    if (v === undefined) {
      if (requiredFor(f, kind)) throw new ConfigError(f.path, f.type === 'group' ? 'must be an object' : `must be ${describe(f)}, got undefined`);
      continue;
    }
    if (v === null && f.nullable) continue;
    if (f.type === 'group') {
      if (!isObject(v)) throw new ConfigError(f.path, f.nullable ? 'must be null or an object' : 'must be an object');
    } else {
      checkValue(f.path, f.typeFor?.(c) ?? f.type, v);
    }
    f.check?.(v, c);
  }
  checkRules(c, loss, kind);
}

const describe = (f: ConfigField) => (f.type === 'group' ? 'an object' : describeType(f.type));

/** What holds between fields. */
function checkRules(c: RunConfig, loss: GanLoss, kind: DataKind): void {
  if (c.conditional !== 'none') {
    if (kind !== 'images') throw new ConfigError('conditional', `needs labelled image data (fashion-mnist, mnist, folder:PATH with class sub-folders), not ${c.data.name}`);
    if (c.infogan !== null) throw new ConfigError('infogan', `cannot be combined with conditional '${c.conditional}'`);
    if (loss.discriminator === 'autoencoder') throw new ConfigError('conditional', `cannot be combined with '${c.loss}': its autoencoder discriminator takes no labels`);
  }
  // A hyper-parameter the loss does not read would be a silent no-op: refuse it.
  const reads = [...new Set([...Object.keys(loss.preset.hyper), ...Object.keys(loss.hyperparameters ?? {})])];
  for (const name of Object.keys(c.hyper)) {
    if (!reads.includes(name)) throw new ConfigError(`hyper.${name}`, `'${c.loss}' does not read it (${reads.length ? `it reads ${reads.join(', ')}` : 'it has no hyper-parameters'})`);
  }
  // Hyper-parameters a loss registered from outside gankit brings along (the table's are rows above).
  for (const [name, own] of Object.entries(loss.hyperparameters ?? {})) {
    const v = (c.hyper as Record<string, unknown>)[name];
    if (!(name in HYPERPARAMETERS) && v !== undefined) checkValue(`hyper.${name}`, own.type, v);
  }
  // Networks whose weights or activations cannot fit the wasm heap (4 GiB) are refused before anything is allocated.
  for (const [path, mlp, inputs, outputs] of [['model.generator', c.model.generator, c.model.noiseDim, 2], ['model.discriminator', c.model.discriminator, 2, 1]] as const) {
    if (!mlp) continue;
    const w = mlp.width;
    const weights = (inputs + 1) * w + (mlp.depth - 1) * (w + 1) * w + (w + 1) * outputs;
    if (weights > LIMITS.mlpWeights) throw new ConfigError(path, `${mlp.depth} hidden layers of width ${mlp.width} make ${weights.toExponential(2)} weights; at most ${LIMITS.mlpWeights} fit the wasm heap (4 GiB) with the optimiser's copies`);
    const activations = c.batchSize * mlp.width * mlp.depth;
    if (activations > LIMITS.mlpActivations) throw new ConfigError('batchSize', `${c.batchSize} samples through ${mlp.depth} hidden layers of width ${mlp.width} (${path}) make ${activations.toExponential(2)} activations; at most ${LIMITS.mlpActivations} fit the wasm heap (4 GiB)`);
  }
  // A variant names what trains (titles, the runs database): a config it does not describe is refused.
  const variant = c.variant === null ? undefined : findVariant(c.variant);
  if (variant) {
    const why = c.loss !== variant.baseLoss ? `loss is '${c.loss}', not ${variant.baseLoss}` : variant.mismatch(c);
    if (why) throw new ConfigError('variant', `'${variant.name}' (${variant.title}) does not describe this config: ${why} (--loss ${variant.name} sets it up)`);
  }
  if (c.infogan !== null) {
    if (c.infogan.categorical.length === 0 && c.infogan.continuous === 0) throw new ConfigError('infogan', 'needs at least one code');
    if (loss.discriminator === 'autoencoder') throw new ConfigError('infogan', `cannot be combined with '${c.loss}': its autoencoder discriminator has no Q head`);
  }
  if (c.model.fcG !== undefined && c.model.arch !== 'lucic28') {
    throw new ConfigError('model.fcG', c.model.arch === 'mlp' ? `sizes lucic28's hidden FC layer (images); ${c.data.name} is 2-D data (G's MLP: model.generator.width)` : `G's hidden FC layer is lucic28's; ${c.model.arch} has none (--arch lucic28)`);
  }
  if (c.model.arch === 'began28') {
    if (loss.discriminator !== 'autoencoder') throw new ConfigError('model.arch', `began28 is BEGAN's decoder-shaped generator with its autoencoder discriminator; '${c.loss}' needs another architecture (dcgan28, lucic28)`);
    if (c.model.snG) throw new ConfigError('model.snG', 'began28 has no spectral norm on its generator');
  }
}
