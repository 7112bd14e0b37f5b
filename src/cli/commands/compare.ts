/** `gankit compare`: run folders side by side. */
import { parse } from '../args.js';
import { inspectRunFolder } from '../../runfolder/row.js';
import { InputError } from '../../errors.js';
import type { Command } from '../command.js';
import { runsTable } from './runs.js';

const HELP = `Usage: gankit compare RUN_DIR… [--json]

Tabulates the runs side by side: loss, data, seed, steps, status, time and final metrics.`;

export const compare: Command = {
  name: 'compare',
  summary: 'tabulate runs side by side',
  help: () => HELP,
  run: compareCommand,
};

function compareCommand(argv: string[]): number {
  const dirs = argv.filter((a) => !a.startsWith('-'));
  const flags = argv.filter((a) => a.startsWith('-'));
  const values = parse(flags, { json: { type: 'boolean' } });
  if (dirs.length === 0) {
    console.log(HELP);
    return 2;
  }
  const rows = dirs.map((d) => {
    const seen = inspectRunFolder(d);
    if (!seen) throw new InputError(`${d}: not a gankit run folder (no config.json)`);
    if ('unreadable' in seen) throw new InputError(seen.unreadable);
    return seen.row;
  });
  runsTable(rows, Boolean(values.json));
  return 0;
}
