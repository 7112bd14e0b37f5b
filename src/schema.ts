/**
 * The value types of config fields and hyper-parameters: one check per type whose message names
 * the field, and the words `--help` and the docs use for it. The two tables built from these —
 * the hyper-parameters (src/losses/hyperparameters.ts) and the run config (src/train/fields.ts) —
 * are the only places a field's type is written.
 */
import { ConfigError } from './errors.js';

export type FieldType =
  | { kind: 'integer'; min: number; max?: number }
  /** A finite number; `above` is an exclusive lower bound, `max` inclusive unless `maxOpen`. */
  | { kind: 'number'; above?: number; min?: number; max?: number; maxOpen?: boolean }
  | { kind: 'boolean' }
  | { kind: 'choice'; choices: () => readonly (string | number)[]; message?: string }
  | { kind: 'text' }
  /** A list whose items are of type `of`; an item's error names it `path[i]`. */
  | { kind: 'list'; of: FieldType; message: string };

export const positiveInteger: FieldType = { kind: 'integer', min: 1 };
/** A positive integer up to `max` (where more makes no sense or cannot fit in memory). */
export const positiveIntegerUpTo = (max: number): FieldType => ({ kind: 'integer', min: 1, max });
export const nonNegativeInteger: FieldType = { kind: 'integer', min: 0 };
export const integerIn = (min: number, max?: number): FieldType => ({ kind: 'integer', min, max });
export const positiveNumber: FieldType = { kind: 'number', above: 0 };
/** A number in [min, max], or [min, max) with `maxOpen`. */
export const numberIn = (min: number, max: number, maxOpen = false): FieldType => ({ kind: 'number', min, max, maxOpen });
export const trueOrFalse: FieldType = { kind: 'boolean' };
export const text: FieldType = { kind: 'text' };
/** A list of `of`; `message` says what the list must be ("a list of code sizes, e.g. [8]"). */
export const listOf = (of: FieldType, message: string): FieldType => ({ kind: 'list', of, message });
/** One of the given values; a function when the list grows at run time (registered losses). */
export const oneOf = (choices: readonly (string | number)[] | (() => readonly (string | number)[]), message?: string): FieldType => ({
  kind: 'choice',
  choices: typeof choices === 'function' ? choices : () => choices,
  message,
});

/** What a value of the type must be, as a sentence ends: "a positive integer", "one of a, b". */
export function describeType(type: FieldType): string {
  switch (type.kind) {
    case 'integer':
      if (type.min === 1) return `a positive integer${type.max !== undefined ? ` ≤ ${type.max}` : ''}`;
      if (type.max !== undefined) return `an integer in [${type.min}, ${type.max}]`;
      return type.min === 0 ? 'a non-negative integer' : `an integer ≥ ${type.min}`;
    case 'number':
      if (type.above === 0 && type.max === undefined) return 'a positive number';
      return `a number in [${type.min ?? type.above ?? '−∞'}, ${type.max ?? '∞'}${type.maxOpen ? ')' : ']'}`;
    case 'boolean':
      return 'true or false';
    case 'choice':
      return type.message ?? `one of ${type.choices().join(', ')}`;
    case 'text':
      return 'a string';
    case 'list':
      return type.message;
  }
}

/** Throws a ConfigError naming `path` unless `value` is of the type. */
export function checkValue(path: string, type: FieldType, value: unknown): void {
  if (type.kind === 'list' && Array.isArray(value)) {
    value.forEach((item, i) => checkValue(`${path}[${i}]`, type.of, item));
    return;
  }
  if (isOfType(type, value)) return;
  // A bounded count says the bound only when it is the bound that is passed.
  if (type.kind === 'integer' && type.min === 1 && type.max !== undefined) {
    if (typeof value === 'number' && Number.isInteger(value) && value > type.max) throw new ConfigError(path, `must be at most ${type.max}, got ${value}`);
    throw new ConfigError(path, `must be a positive integer, got ${showValue(value)}`);
  }
  const known = type.kind === 'choice' ? type.choices().filter((c): c is string => typeof c === 'string') : [];
  throw new ConfigError(path, `must be ${describeType(type)}, got ${showValue(value)}${didYouMean(value, known)}`);
}

/**
 * A value as an error message shows it: JSON, at most 60 characters; a number as written
 * (1e400 parses to Infinity, which JSON would print as null); a value nested past the stack's
 * depth said in words, not a RangeError.
 */
export function showValue(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : `${value} (a number beyond a double)`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    return 'a value nested too deep to show';
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function isOfType(type: FieldType, v: unknown): boolean {
  switch (type.kind) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= type.min && (type.max === undefined || v <= type.max);
    case 'number':
      return (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (type.above === undefined || v > type.above) &&
        (type.min === undefined || v >= type.min) &&
        (type.max === undefined || (type.maxOpen ? v < type.max : v <= type.max))
      );
    case 'boolean':
      return typeof v === 'boolean';
    case 'choice':
      return (typeof v === 'string' || typeof v === 'number') && type.choices().includes(v);
    case 'text':
      return typeof v === 'string';
    case 'list':
      return Array.isArray(v);
  }
}

/** How a command-line flag's text becomes a value of the type. */
export function flagValueKind(type: FieldType): 'integer' | 'number' | 'string' {
  if (type.kind === 'integer') return 'integer';
  if (type.kind === 'number') return 'number';
  if (type.kind === 'choice' && type.choices().every((c) => typeof c === 'number')) return 'integer';
  return 'string';
}

export type Json = Record<string, unknown>;

/** Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours ('trian' → 'train' is 1). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate a mistyped name most likely meant, or null: the same name but for case, dashes
 * and underscores ('wgangp' → 'wgan-gp'), the one candidate it begins ('fashion' →
 * 'fashion-mnist'), or the nearest within a third of its length ('trian' → 'train').
 */
export function closestName(input: string, candidates: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  const given = norm(input);
  if (!given) return null;
  const same = candidates.find((c) => norm(c) === given);
  if (same) return same;
  const extending = candidates.filter((c) => given.length >= 3 && norm(c).startsWith(given));
  if (extending.length === 1) return extending[0];
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(given.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(given, norm(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** "; did you mean 'x'?" for a message about `input`, or '' when nothing is close. `show` writes the candidate ('--x' for a flag). */
export function didYouMean(input: unknown, candidates: readonly string[], show: (c: string) => string = (c) => `'${c}'`): string {
  const c = typeof input === 'string' ? closestName(input, candidates) : null;
  return c === null || c === input ? '' : `; did you mean ${show(c)}?`;
}

/** How deep a config may nest (its deepest field is 3 levels down): deeper is nonsense, and would overflow the stack of the recursive checks. */
export const MAX_NESTING = 32;

/** Refuses a value nested deeper than MAX_NESTING, naming where it starts (`label` for the top; walked without recursion). */
export function checkNesting(value: unknown, label: string): void {
  const stack: Array<[unknown, string[]]> = [[value, []]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= MAX_NESTING) throw new ConfigError(path.length ? `${path.slice(0, 2).join('.')}.…` : label, `nested deeper than ${MAX_NESTING} levels`);
    for (const [k, child] of Object.entries(v)) stack.push([child, [...path, k]]);
  }
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of plain objects; arrays and scalars replace; `undefined` leaves the base value. */
export function mergeConfig<T>(base: T, override: unknown, path = ''): T {
  if (!isObject(override)) return base;
  const out: Json = { ...(base as Json) };
  for (const [k, v] of Object.entries(override)) {
    if (v === undefined) continue;
    const at = path ? `${path}.${k}` : k;
    // JSON.parse makes '__proto__' an own key; assigning it would set the prototype instead.
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw new ConfigError(at, 'is not a config field');
    out[k] = isObject(v) && isObject(out[k]) ? mergeConfig(out[k], v, at) : v;
  }
  return out as T;
}
