/**
 * The page's settings form, read off the config field table (src/train/fields.ts): the knobs people
 * change — each network's learning rate and Adam betas, n_critic, the batch, the steps, the loss's
 * own hyper-parameters, each network's width, depth and activation — with the table's doc line,
 * type and range; everything else stays in the JSON under "advanced". The JSON accepts the CLI's
 * flag names as shortcuts (`"lr": 1e-3` sets both learning rates, as `--lr` does). Browser-safe.
 */
import { getLoss } from '../losses/registry.js';
import { fieldByPath } from '../train/fields.js';
import type { RunConfig } from '../train/fields.js';
import { configFlags } from '../train/flags.js';
import { ConfigError } from '../errors.js';
import type { FieldType, Json } from '../schema.js';

/** One input of the form. */
export interface Knob {
  /** The config path it sets ("optimizerG.lr", "hyper.lambda", …). */
  path: string;
  label: string;
  /** The field table's doc line. */
  doc: string;
  input: 'number' | 'integer' | 'choice' | 'boolean';
  choices?: string[];
  min?: number;
  max?: number;
  value: unknown;
}

/** Short labels, in the papers' symbols where there is one. */
const LABELS: Record<string, string> = {
  'optimizerG.lr': 'lr G',
  'optimizerD.lr': 'lr D',
  'optimizerG.beta1': 'β₁ G',
  'optimizerG.beta2': 'β₂ G',
  'optimizerD.beta1': 'β₁ D',
  'optimizerD.beta2': 'β₂ D',
  nCritic: 'n_critic',
  batchSize: 'batch',
  steps: 'steps',
  'hyper.lambda': 'λ',
  'hyper.gamma': 'γ',
  'hyper.clipValue': 'c (clip)',
  'hyper.lambdaK': 'λ_k',
  'hyper.realLabelSmoothing': 's (smoothing)',
  'hyper.noiseScale': 'noise scale',
  'hyper.oneSided': 'one-sided',
  'hyper.coding': 'coding',
  'hyper.perturbation': 'perturbation',
  'hyper.warmup': 'warm-up',
  'model.generator.width': 'G width',
  'model.generator.depth': 'G depth',
  'model.generator.activation': 'G activation',
  'model.discriminator.width': 'D width',
  'model.discriminator.depth': 'D depth',
  'model.discriminator.activation': 'D activation',
};

const get = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((node, k) => (node && typeof node === 'object' ? (node as Json)[k] : undefined), obj);

function knob(path: string, config: RunConfig): Knob | null {
  const field = fieldByPath(path);
  if (!field || field.type === 'group') return null;
  const type: FieldType = field.typeFor?.(config) ?? field.type;
  const base = { path, label: LABELS[path] ?? path, doc: field.doc, value: get(config, path) };
  switch (type.kind) {
    case 'integer':
      return { ...base, input: 'integer', min: type.min, max: type.max };
    case 'number':
      return { ...base, input: 'number', min: type.min ?? type.above, max: type.max };
    case 'boolean':
      return { ...base, input: 'boolean' };
    case 'choice':
      return { ...base, input: 'choice', choices: type.choices().map(String) };
    default:
      return null;
  }
}

/** The form for a resolved config: only the knobs this config has (Adam's betas for Adam, the loss's own hyper-parameters). */
export function settingsKnobs(config: RunConfig): Knob[] {
  const loss = getLoss(config.loss);
  const hyper = [...new Set([...Object.keys(loss.preset.hyper), ...Object.keys(loss.hyperparameters ?? {})])].map((n) => `hyper.${n}`);
  const optimiser = (who: 'optimizerG' | 'optimizerD') => [`${who}.lr`, ...(config[who].name === 'adam' ? [`${who}.beta1`, `${who}.beta2`] : [])];
  const net = (who: 'generator' | 'discriminator') => (config.model[who] ? ['width', 'depth', 'activation'].map((k) => `model.${who}.${k}`) : []);
  const paths = [...optimiser('optimizerG'), ...optimiser('optimizerD'), 'nCritic', 'batchSize', 'steps', ...hyper, ...net('generator'), ...net('discriminator')];
  return paths.map((p) => knob(p, config)).filter((k): k is Knob => k !== null);
}

/**
 * The overrides with the CLI's flag names accepted at the top level: `lr` → both optimisers' lr,
 * `batch` → batchSize, `n-critic` → nCritic, … (a key that is a field keeps its meaning). A flag's
 * value is taken as given in JSON; the config's validation checks it as for the field.
 */
export function expandFlagNames(overrides: Json): Json {
  const out: Json = {};
  const later: Array<[string, unknown]> = [];
  for (const [key, v] of Object.entries(overrides)) {
    const flag = fieldByPath(key) ? undefined : configFlags().find((f) => f.name === key);
    if (!flag) out[key] = v;
    else if (flag.switch !== undefined && v !== true) throw new ConfigError(key, `is the CLI switch --${key}: give true, or set ${flag.fields.map((f) => f.path).join(', ')}`);
    else for (const f of flag.fields) later.push([f.path, flag.switch !== undefined ? structuredClone(flag.switch) : v]);
  }
  // A shortcut fills in under what the JSON says field by field ("lr" beside "optimizerD": {"lr": …}: the field wins).
  for (const [path, v] of later) {
    const keys = path.split('.');
    let node = out;
    for (const k of keys.slice(0, -1)) node = (node[k] = node[k] && typeof node[k] === 'object' ? { ...(node[k] as Json) } : {}) as Json;
    const last = keys[keys.length - 1];
    if (node[last] === undefined) node[last] = v;
  }
  return out;
}
