/**
 * The gankit command line: a table of commands (one file each under src/cli/commands), the main
 * help generated from it, and one place that turns errors into exit codes — the message of a bad
 * option, config field or file as one line and exit 2, a run stopped before its end (diverged, a
 * file that could not be written) exit 3, the wasm heap exhausted one line and exit 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, RunStoppedError } from '../errors.js';
import { packageRoot } from '../io/packageRoot.js';
import { didYouMean } from '../schema.js';
import { UsageError } from './args.js';
import { COMMANDS } from './commands/index.js';

export { UsageError };

export { COMMANDS };

function mainHelp(): string {
  return `gankit — train and measure GANs under every major loss

Usage: gankit <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run 'gankit <command> --help' for a command's options, 'gankit --version' for the version.`;
}

const isHelp = (arg: string | undefined) => arg === '-h' || arg === '--help';

/** gankit's version, from its package.json. */
export const version = (): string => (JSON.parse(readFileSync(join(packageRoot(import.meta.url, 'package.json'), 'package.json'), 'utf8')) as { version: string }).version;

/** The engine's ways of saying that the wasm heap (4 GiB at most) is exhausted, as one line; null for other errors. */
export function outOfMemory(e: unknown): string | null {
  const message = e instanceof Error ? e.message : String(e);
  if (!/memory access out of bounds|Invalid typed array length|Array buffer allocation failed|Cannot enlarge memory|out of memory/i.test(message)) return null;
  return `out of memory (${message.split('\n')[0]}): the tensors do not fit the wasm heap (4 GiB at most) — try smaller networks, a smaller --batch or --eval-samples`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || isHelp(name) || name === 'help') {
      const topic = COMMANDS.find((c) => c.name === rest[0]);
      console.log(topic ? topic.help() : mainHelp());
      return 0;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
      console.log(`gankit ${version()}`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    const names = COMMANDS.map((c) => c.name);
    if (!command) throw new UsageError(`unknown command '${name}'${didYouMean(name, names)} (commands: ${names.join(', ')})`);
    if (rest.some(isHelp)) {
      console.log(command.help());
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    if (e instanceof InputError) {
      console.error(`gankit: error: ${(e as Error).message}`);
      return 2;
    }
    if (e instanceof RunStoppedError) {
      console.error(`\ngankit: ${e.message}`);
      return 3;
    }
    const oom = outOfMemory(e);
    if (oom) {
      console.error(`gankit: error: ${oom}`);
      return 2;
    }
    throw e;
  }
}
