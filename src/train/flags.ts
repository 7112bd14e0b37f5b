/**
 * The flags that set config fields, read off the field table: `--lr` sets both optimisers' lr,
 * `--infogan` switches InfoGAN on. The CLI parses with them (src/cli/configFlags.ts) and sweep
 * grids use the same names (`lr=1e-4,2e-4`), so a value means the same wherever it is given.
 */
import { ConfigError } from '../errors.js';
import { flagValueKind, FieldType, Json } from '../schema.js';
import { configFields, ConfigField } from './fields.js';

export interface ConfigFlag {
  name: string;
  /** The fields it sets, in table order. */
  fields: ConfigField[];
  /** A flag without a value sets its fields to this. */
  switch?: unknown;
}

/** Each flag once, with every field it sets, in table order. */
export function configFlags(): ConfigFlag[] {
  const flags: ConfigFlag[] = [];
  for (const f of configFields()) {
    if (!f.flag) continue;
    const known = flags.find((x) => x.name === f.flag!.name);
    if (known) known.fields.push(f);
    else flags.push({ name: f.flag.name, fields: [f], switch: f.flag.switch });
  }
  return flags;
}

/** A value given as text (a flag's, a grid's) as the field's type wants it; errors name `label`. */
export function parseFieldValue(type: FieldType | 'group', raw: string, label: string): unknown {
  if (type !== 'group' && type.kind === 'boolean') {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw new ConfigError(label, `expected true or false, got '${raw}'`);
  }
  const kind = type === 'group' ? 'string' : flagValueKind(type);
  if (kind === 'string') return raw;
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v) || (kind === 'integer' && !Number.isInteger(v))) throw new ConfigError(label, `expected ${kind === 'integer' ? 'an integer' : 'a number'}, got '${raw}'`);
  return v;
}

export function setPath(obj: Json, path: string, v: unknown): void {
  const keys = path.split('.');
  let node = obj;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Json;
  node[keys[keys.length - 1]] = v;
}

/** The config overrides that flags make: name → text (or true for a switch). `label` names a flag in errors. */
export function flagOverrides(values: Record<string, string | boolean | undefined>, label = (name: string) => `--${name}`): Json {
  const out: Json = {};
  for (const flag of configFlags()) {
    const raw = values[flag.name];
    if (raw === undefined || raw === false) continue;
    const value = flag.switch !== undefined ? structuredClone(flag.switch) : parseFieldValue(flag.fields[0].type, String(raw), label(flag.name));
    for (const f of flag.fields) setPath(out, f.path, value);
  }
  return out;
}
