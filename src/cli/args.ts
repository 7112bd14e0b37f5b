/** Shared command-line parsing: strict flags, one clear error per bad value. */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.js';
import { ConfigError } from '../train/config.js';

export class UsageError extends InputError {}

export type Values = Record<string, string | boolean | undefined>;

export function parse(argv: string[], options: ParseArgsConfig['options']): Values {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values as Values;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n').map((l) => l.trim()).filter(Boolean).join(' '));
  }
}

export function num(values: Values, flag: string, integer = false): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw new ConfigError(`--${flag}`, `expected ${integer ? 'an integer' : 'a number'}, got '${raw}'`);
  return v;
}

