/** Shared command-line parsing: strict flags, one clear error per bad value. */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { ConfigError, InputError } from '../errors.js';
import { didYouMean } from '../schema.js';

export class UsageError extends InputError {}

export type Values = Record<string, string | boolean | undefined>;
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

export function parse(argv: string[], options: FlagOptions): Values {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values as Values;
  } catch (e) {
    throw new UsageError(parseErrorMessage(e as NodeJS.ErrnoException, argv, Object.keys(options)));
  }
}

/**
 * Node's parser error as one line that says what to do: the flag a mistyped one most likely
 * meant, and for a value that starts with a dash (`--lr -1`, which the parser takes for an
 * option) the `--flag=VALUE` form that gives it.
 */
function parseErrorMessage(e: NodeJS.ErrnoException, argv: string[], names: string[]): string {
  const message = e.message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  const unknown = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /Unknown option '(--?[^'=]+)'/.exec(message)?.[1];
  if (unknown) return `Unknown option '${unknown}'${didYouMean(unknown.replace(/^-+/, ''), names, (c) => `--${c}`)} (--help lists the options)`;
  const ambiguous = /Option '(--?[^' ]+)[^']*' argument is ambiguous/.exec(message)?.[1];
  const value = ambiguous ? argv[argv.indexOf(ambiguous) + 1] : undefined;
  if (ambiguous && value !== undefined) {
    const what = /^-(\d|\.\d)/.test(value) ? `The negative number ${value}` : `'${value}'`;
    return `Option '${ambiguous}' argument is ambiguous. ${what} starts with a dash, so it reads as an option; to give it as the value, use '${ambiguous}=-XYZ': ${ambiguous}=${value}`;
  }
  return message;
}

export function num(values: Values, flag: string, integer = false): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw new ConfigError(`--${flag}`, `expected ${integer ? 'an integer' : 'a number'}, got '${raw}'`);
  return v;
}

/** Help lines "  --flag ARG   doc", the docs aligned and wrapped at `width`. */
export function flagLines(rows: Array<[string, string]>, width = 100): string[] {
  const pad = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return rows.flatMap(([flag, doc]) => {
    const words = doc.split(' ');
    const lines: string[] = [];
    let line = '';
    for (const w of words) {
      if (line && pad + 2 + line.length + 1 + w.length > width) {
        lines.push(line);
        line = w;
      } else line = line ? `${line} ${w}` : w;
    }
    lines.push(line);
    return lines.map((l, i) => `  ${(i === 0 ? flag : '').padEnd(pad)}${l}`);
  });
}

/** The largest JSON file a flag reads (a config, a sweep's space). */
const MAX_JSON_BYTES = 16 * 2 ** 20;

/**
 * A JSON object from the file a flag names: a regular file (a device or a FIFO would be read
 * forever) of at most 16 MiB, a byte-order mark allowed; anything else is one line naming the flag.
 */
export function readJsonFile(path: string, flag: string): Record<string, unknown> {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ConfigError(flag, `${path}: not a regular file`);
    if (st.size > MAX_JSON_BYTES) throw new ConfigError(flag, `${path}: ${st.size} bytes; at most ${MAX_JSON_BYTES}`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(flag, `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const parsed = JSON.parse(text.replace(/^\uFEFF/, '')); // a byte-order mark, as some editors write (CSV files take one too)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the top level must be an object');
    return parsed;
  } catch (e) {
    throw new ConfigError(flag, `${path}: malformed JSON (${(e as Error).message})`);
  }
}
