/**
 * The `gankit train` flags that set config fields (src/train/flags.ts, from the field table): the
 * parser's options, the overrides a command line makes, and the help.
 */
import { configFields, ConfigField } from '../train/fields.js';
import { configFlags, ConfigFlag, flagOverrides } from '../train/flags.js';
import { flagValueKind, Json } from '../schema.js';
import { DATA_KINDS } from '../data/kinds.js';
import { flagLines, FlagOptions, Values } from './args.js';

const isSwitch = (flag: ConfigFlag) => flag.switch !== undefined;

export function configFlagOptions(): FlagOptions {
  return Object.fromEntries(configFlags().map((flag) => [flag.name, { type: isSwitch(flag) ? ('boolean' as const) : ('string' as const) }]));
}

/** The config overrides the flags on a command line make (a partial config, merged over the config file). */
export const configOverridesFromFlags = (values: Values): Json => flagOverrides(values);

function defaultText(f: ConfigField): string {
  const group = configFields().find((g) => g.path === f.path.slice(0, Math.max(0, f.path.lastIndexOf('.'))));
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
