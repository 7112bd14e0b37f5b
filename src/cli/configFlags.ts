/**
 * The `gankit train` flags that set config fields, generated from the field table
 * (src/train/fields.ts): the parser's options, the overrides a command line makes, and the help.
 */
import { CONFIG_FIELDS, ConfigField } from '../train/fields.js';
import { flagValueKind, Json } from '../schema.js';
import { DATA_KINDS } from '../data/kinds.js';
import { flagLines, FlagOptions, num, Values } from './args.js';

interface ConfigFlag {
  name: string;
  fields: ConfigField[];
}

/** Each flag once, with every field it sets (`--lr` sets both optimisers' lr), in table order. */
function configFlags(): ConfigFlag[] {
  const flags: ConfigFlag[] = [];
  for (const f of CONFIG_FIELDS) {
    if (!f.flag) continue;
    const known = flags.find((x) => x.name === f.flag!.name);
    if (known) known.fields.push(f);
    else flags.push({ name: f.flag.name, fields: [f] });
  }
  return flags;
}

const isSwitch = (flag: ConfigFlag) => flag.fields[0].flag!.switch !== undefined;

export function configFlagOptions(): FlagOptions {
  return Object.fromEntries(configFlags().map((flag) => [flag.name, { type: isSwitch(flag) ? ('boolean' as const) : ('string' as const) }]));
}

/** The config overrides the flags on a command line make (a partial config, merged over the config file). */
export function configOverridesFromFlags(values: Values): Json {
  const out: Json = {};
  for (const flag of configFlags()) {
    const raw = values[flag.name];
    if (raw === undefined || raw === false) continue;
    const first = flag.fields[0];
    let value: unknown;
    if (isSwitch(flag)) value = structuredClone(first.flag!.switch);
    else {
      const kind = first.type === 'group' ? 'string' : flagValueKind(first.type);
      value = kind === 'string' ? raw : num(values, flag.name, kind === 'integer');
    }
    for (const f of flag.fields) setPath(out, f.path, value);
  }
  return out;
}

function setPath(obj: Json, path: string, v: unknown): void {
  const keys = path.split('.');
  let node = obj;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Json;
  node[keys[keys.length - 1]] = v;
}

function defaultText(f: ConfigField): string {
  const group = CONFIG_FIELDS.find((g) => g.path === f.path.slice(0, Math.max(0, f.path.lastIndexOf('.'))));
  const d = f.default ?? (group?.default === 'preset' ? 'preset' : undefined);
  if (d === undefined || (typeof d === 'object' && 'compute' in d)) return '';
  if (d === 'preset') return " (default: the loss's preset)";
  if ('value' in d) return d.value === null || d.value === false ? '' : ` (default ${String(d.value)})`;
  const [first, ...others] = DATA_KINDS;
  return ` (default ${String(d.perKind[first])}${others.map((k) => `; ${k} ${String(d.perKind[k])}`).join('')})`;
}

function argName(f: ConfigField): string {
  if (f.flag?.arg) return f.flag.arg;
  if (f.type === 'group') return 'VALUE';
  const kind = flagValueKind(f.type);
  return kind === 'integer' ? 'N' : kind === 'number' ? 'X' : 'NAME';
}

/** `--flag ARG   doc (default …) [field paths]` for each config flag. */
export function configFlagHelp(): string[] {
  return flagLines(
    configFlags().map((flag) => {
      const f = flag.fields[0];
      const doc = `${f.flag!.doc ?? f.doc}${isSwitch(flag) ? '' : defaultText(f)} [${flag.fields.map((x) => x.path).join(', ')}]`;
      return [`--${flag.name}${isSwitch(flag) ? '' : ` ${argName(f)}`}`, doc];
    }),
  );
}
