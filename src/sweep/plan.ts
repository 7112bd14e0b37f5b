/**
 * A sweep's plan: the trials a base config, a grid and random draws make, each with an id and a
 * folder. The id is a hash of the trial's resolved config (and of the sweep's folder), so a trial
 * listed twice runs once, a re-run of the sweep finds its trials again, and a queue that already
 * has a trial's job does not take it twice.
 *
 *   grid    'loss=ns,wgan-gp;seed=1..5;lr=1e-4,2e-4' — keys are config paths (optimizerD.beta1)
 *           or `gankit train` flag names (lr sets both optimisers); values are lists, a..b for
 *           integer ranges; the trials are every combination, in order.
 *   random  N draws from a space file: { "optimizerD.lr": { "logUniform": [1e-5, 1e-2] },
 *           "nCritic": { "int": [1, 5] }, "model.discriminator.width": { "choice": [32, 64] },
 *           "optimizerD.beta1": { "uniform": [0, 0.9] } }, seeded (--seed), so the plan is
 *           the same every time. With a grid, every draw takes every grid combination.
 *
 * A switch flag (infogan, skip-unreadable) takes true or false (false: the field's off value).
 * A csv:PATH or folder:PATH dataset is made absolute here, from the sweep's working folder, so a
 * worker elsewhere reads the same path (on the shared file system) rather than its own cwd's.
 *
 * A trial whose config is invalid stays in the plan with its error; it fails, alone, when run.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { Rng } from '../engine/rng.js';
import { ConfigError, InputError } from '../errors.js';
import { checkNesting, isObject, Json, mergeConfig } from '../schema.js';
import { RunFolder } from '../runfolder/index.js';
import { resolveConfig } from '../train/config.js';
import { fieldByPath } from '../train/fields.js';
import { configFlags, parseFieldValue, setPath } from '../train/flags.js';
import type { ConfigFlag } from '../train/flags.js';

/** A sweep's plan file, DIR/sweep.json: its trials, which workers check their jobs against (a study writes one too). */
export const PLAN_FILE = 'sweep.json';

export interface PlannedTrial {
  /** Hash of the sweep's folder and the trial's resolved config (or its overrides, when they do not resolve). */
  id: string;
  /** Readable: loss-data-seed and what the grid or draw set. */
  name: string;
  /** The config overrides the trial runs with: the base, then its grid values and draw. */
  overrides: Json;
  /** Its run folder (absolute: workers on other machines see it on a shared file system). */
  dir: string;
  /** Why its config does not resolve, if it does not. */
  error?: string;
}

export interface SweepPlan {
  format: 1;
  /** The sweep's folder, absolute. */
  out: string;
  base: Json;
  grid: string | null;
  random: { count: number; space: Json; seed: number } | null;
  trials: PlannedTrial[];
}

/** JSON with sorted keys: equal configs give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const hash = (text: string, length = 16) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** A switch flag's value in a grid or draw: true switches it on, false sets its field's default (off); anything else is refused. */
function switchValue(flag: ConfigFlag, raw: string, label: string): unknown {
  if (raw === 'true') return structuredClone(flag.switch);
  if (raw === 'false') {
    const d = flag.fields[0].default;
    return d && d !== 'preset' && 'value' in d ? d.value : false;
  }
  throw new ConfigError(label, `'${flag.name}' is a switch: expected true or false, got '${raw}'`);
}

/** The overrides one `key=raw` makes (a config path, or a train flag). */
function valueFor(key: string, raw: string, label: string): Json {
  const out: Json = {};
  const field = fieldByPath(key);
  if (field && field.type !== 'group') {
    setPath(out, key, parseFieldValue(field.type, raw, label));
    return out;
  }
  const flag = configFlags().find((f) => f.name === key);
  if (!flag) throw new ConfigError(label, `'${key}' is neither a config field nor a train flag`);
  const value = flag.switch !== undefined ? switchValue(flag, raw, label) : parseFieldValue(flag.fields[0].type, raw, label);
  for (const f of flag.fields) setPath(out, f.path, value);
  return out;
}

/** The most trials one sweep plans (grid combinations × random draws): beyond it a plan alone fills the memory. */
export const MAX_TRIALS = 100_000;

/** The config paths an override sets ('lr' sets optimizerD.lr and optimizerG.lr). */
function pathsOf(o: Json, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (isObject(v) && Object.keys(v).length && fieldByPath(`${prefix}${k}`)?.type === 'group' ? pathsOf(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

/** 'loss=ns,wgan-gp;seed=1..3' → one list of overrides per key; a spec with no key, or two keys setting one field, is refused. */
export function parseGrid(spec: string): Array<{ key: string; values: Json[] }> {
  const axes = parseAxes(spec);
  if (axes.length === 0) throw new ConfigError('--grid', `'${spec}' has no KEY=VALUE part`);
  const owner = new Map<string, string>();
  for (const { key, values } of axes) {
    for (const path of pathsOf(values[0])) {
      const other = owner.get(path);
      if (other !== undefined) throw new ConfigError('--grid', other === key ? `${key} is given twice (one list per key: ${key}=A,B)` : `${other} and ${key} both set ${path}`);
      owner.set(path, key);
    }
  }
  return axes;
}

function parseAxes(spec: string): Array<{ key: string; values: Json[] }> {
  return spec
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new ConfigError('--grid', `'${part}': expected KEY=VALUE,VALUE,… or KEY=A..B`);
      const key = part.slice(0, eq).trim();
      const raws = part
        .slice(eq + 1)
        .split(',')
        .map((r) => r.trim())
        .flatMap((r) => {
          const range = r.match(/^(-?\d+)\.\.(-?\d+)$/);
          if (!range) return [r];
          const [a, b] = [Number(range[1]), Number(range[2])];
          if (b < a || b - a > 10_000) throw new ConfigError('--grid', `${key}=${r}: a range goes up, by at most 10000 values`);
          return Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
        });
      if (raws.some((r) => r === '')) throw new ConfigError('--grid', `${key}: an empty value`);
      return { key, values: raws.map((raw) => valueFor(key, raw, `--grid: ${key}`)) };
    });
}

/** Every combination of the grid's values, the first key varying slowest. */
function combinations(axes: Array<{ values: Json[] }>): Json[] {
  return axes.reduce<Json[]>((acc, axis) => acc.flatMap((prefix) => axis.values.map((v) => mergeConfig(prefix, v))), [{}]);
}

/** One draw of a random space (see the module header). */
function draw(space: Json, rng: Rng): Json {
  const out: Json = {};
  for (const [key, spec] of Object.entries(space)) {
    const label = `--space: ${key}`;
    if (!isObject(spec)) throw new ConfigError(label, 'expected { "choice": […] }, { "uniform": [a, b] }, { "logUniform": [a, b] } or { "int": [a, b] }');
    let value: unknown;
    const pair = (k: string) => {
      const v = spec[k];
      if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || v[1] < v[0]) throw new ConfigError(label, `${k} needs [low, high] with low ≤ high`);
      return v as [number, number];
    };
    if ('choice' in spec) {
      if (!Array.isArray(spec.choice) || spec.choice.length === 0) throw new ConfigError(label, 'choice needs a non-empty list');
      value = spec.choice[rng.int(spec.choice.length)];
    } else if ('uniform' in spec) {
      const [a, b] = pair('uniform');
      value = a + (b - a) * rng.next();
    } else if ('logUniform' in spec) {
      const [a, b] = pair('logUniform');
      if (a <= 0) throw new ConfigError(label, 'logUniform needs a positive low end');
      value = Math.exp(Math.log(a) + (Math.log(b) - Math.log(a)) * rng.next());
    } else if ('int' in spec) {
      const [a, b] = pair('int');
      value = Math.ceil(a) + rng.int(Math.floor(b) - Math.ceil(a) + 1);
    } else throw new ConfigError(label, 'expected one of choice, uniform, logUniform, int');
    // A chosen object (an MLP spec, say) goes in whole; a number or a word is typed by its field.
    const part: Json = {};
    if (typeof value === 'object' && value !== null) setPath(part, key, value);
    Object.assign(out, mergeConfig(out, typeof value === 'object' && value !== null ? part : valueFor(key, String(value), label)));
  }
  return out;
}

/** What a trial is called: its loss, data and seed, and the values that make it differ from the base. */
function trialName(resolved: Json | null, asked: Json, varied: Json): string {
  const flat = (o: Json, prefix = ''): string[] =>
    Object.entries(o).flatMap(([k, v]) => (isObject(v) ? flat(v, `${prefix}${k}.`) : [`${prefix}${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(3) : String(v)}`]));
  const parts = flat(varied).filter((p) => !/^(loss|seed|data\.name)=/.test(p));
  // An invalid config is named from what it asked for, with the table's defaults for the rest.
  const from = resolved ?? asked;
  const fallback = (path: string) => {
    const d = fieldByPath(path)?.default;
    return d && d !== 'preset' && 'value' in d ? d.value : undefined;
  };
  // A csv:/folder: dataset is named as it was asked for (relative), not by the absolute path it runs on.
  const dataName = (c: Json) => (isObject(c.data) && typeof c.data.name === 'string' ? c.data.name : undefined);
  const data = (/^(csv|folder):/.test(dataName(asked) ?? '') ? dataName(asked) : dataName(from)) ?? fallback('data.name');
  const head = `${String(from.variant ?? from.loss ?? fallback('loss'))}-${String(data).replace(/[^a-zA-Z0-9_.-]/g, '_')}-s${String(from.seed ?? fallback('seed'))}${resolved ? '' : '-invalid'}`;
  return [head, ...parts].join(' ').slice(0, 120);
}

/** The overrides with a csv:/folder: dataset's relative path made absolute (from this process's cwd, as `gankit train` reads it). */
function absoluteDataPath(overrides: Json): Json {
  const data = overrides.data;
  if (!isObject(data) || typeof data.name !== 'string') return overrides;
  const m = data.name.match(/^(csv|folder):(.+)$/);
  if (!m || isAbsolute(m[2])) return overrides;
  return { ...overrides, data: { ...data, name: `${m[1]}:${resolve(m[2])}` } };
}

export interface PlanOptions {
  base: Json;
  grid?: string;
  random?: { count: number; space: Json; seed: number };
  out: string;
}

/** What a run folder records about what ran rather than what was asked: left out when a folder is matched to a trial. */
const RECORDED_FIELDS = ['compute', 'backend'];

/** The leaf paths where two configs differ, with both values ('optimizerD.lr: 0.001 there, 0.002 in this trial'). */
function differences(stored: unknown, asked: unknown, path = ''): string[] {
  if (isObject(stored) && isObject(asked)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(asked)])].filter((k) => path !== '' || !RECORDED_FIELDS.includes(k)).sort();
    return keys.flatMap((k) => differences(stored[k], asked[k], path ? `${path}.${k}` : k));
  }
  return canonicalJson(stored) === canonicalJson(asked) ? [] : [`${path}: ${canonicalJson(stored) ?? 'absent'} there, ${canonicalJson(asked) ?? 'absent'} in this trial`];
}

/**
 * Why the trial's folder cannot be this trial's (it holds a run of another config), or null: a
 * sweep checks before it reuses a folder's result or resumes its run.
 */
export function foreignTrial(trial: PlannedTrial): string | null {
  const folder = new RunFolder(trial.dir);
  if (trial.error || !folder.isRun()) return null;
  let stored: Json;
  try {
    stored = folder.readConfig();
  } catch (e) {
    return (e as Error).message;
  }
  return foreignConfig(stored, trial.overrides, trial.dir);
}

/**
 * Why a stored run's config (a folder's config.json, a run record's) is not the config these
 * overrides resolve to, naming `where` and the fields that differ; null when it is this trial's.
 */
export function foreignConfig(stored: unknown, overrides: Json, where: string): string | null {
  const differ = differences(stored, resolveConfig(overrides));
  return differ.length ? `${where}: holds another trial's run (${differ.slice(0, 3).join('; ')}${differ.length > 3 ? '; …' : ''})` : null;
}

/** The trials of a sweep, deduplicated by id, in grid order. */
export function planSweep(o: PlanOptions): SweepPlan {
  checkNesting(o.base, '--config');
  if (o.random) checkNesting(o.random.space, '--space');
  const out = resolve(o.out);
  const axes = o.grid !== undefined ? parseGrid(o.grid) : [];
  if (o.random && !(Number.isInteger(o.random.count) && o.random.count > 0 && o.random.count <= 100_000)) throw new ConfigError('--random', `must be a positive integer ≤ 100000, got ${o.random.count}`);
  const count = axes.reduce((n, a) => n * a.values.length, o.random?.count ?? 1);
  if (count > MAX_TRIALS) {
    const factors = [...axes.map((a) => a.values.length), ...(o.random ? [o.random.count] : [])];
    throw new ConfigError(o.grid ? '--grid' : '--random', `${count} trials (${factors.join(' × ')}); a sweep has at most ${MAX_TRIALS}`);
  }
  const rng = new Rng(o.random?.seed ?? 1);
  const draws = o.random ? Array.from({ length: o.random.count }, () => draw(o.random!.space, rng)) : [{}];
  const folderKey = hash(out, 8);
  const trials: PlannedTrial[] = [];
  for (const drawn of draws) {
    for (const combo of combinations(axes)) {
      const varied = mergeConfig(drawn, combo);
      const asked = mergeConfig(structuredClone(o.base), varied);
      const overrides = absoluteDataPath(asked);
      let resolved: Json | null = null;
      let error: string | undefined;
      try {
        resolved = resolveConfig(overrides) as unknown as Json;
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        error = e.message;
      }
      const id = `${folderKey}-${hash(canonicalJson(resolved ?? overrides))}`;
      if (trials.some((t) => t.id === id)) continue;
      const name = trialName(resolved, asked, varied);
      // The folder carries the id's whole hash: 32 bits of it let two trials share a folder.
      trials.push({ id, name, overrides, dir: join(out, 'trials', `${name.split(' ')[0]}-${id.slice(folderKey.length + 1)}`), ...(error ? { error } : {}) });
    }
  }
  if (trials.length === 0) throw new ConfigError('--grid', 'makes no trials');
  return { format: 1, out, base: o.base, grid: o.grid ?? null, random: o.random ?? null, trials };
}
