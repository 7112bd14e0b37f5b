/** `gankit losses`: the registry as a table (text, --json, or docs/losses.md with --md). */
import { listLosses, VARIANTS } from '../../losses/registry.js';
import { lossesMarkdown } from '../../losses/docs.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

export const losses: Command = {
  name: 'losses',
  summary: 'the table of losses, formulas and paper presets',
  help: () => `Usage: gankit losses [--json | --md]

Prints every loss with its paper, formulas and preset (what 'gankit train --profile paper' uses).
--md prints docs/losses.md (the committed file is this output).`,

  run(argv) {
    const values = parse(argv, { json: { type: 'boolean' }, md: { type: 'boolean' } });
    const table = listLosses().map((l) => ({ name: l.name, title: l.title, paper: l.paper, formulaD: l.formulaD, formulaG: l.formulaG, preset: l.preset }));
    if (values.md) {
      process.stdout.write(lossesMarkdown());
      return 0;
    }
    if (values.json) {
      console.log(JSON.stringify({ losses: table, variants: VARIANTS }, null, 2));
      return 0;
    }
    const opt = (o: { name: string; lr: number; beta1?: number; beta2?: number }) => `${o.name} ${o.lr}${o.beta1 !== undefined ? ` β=(${o.beta1}, ${o.beta2})` : ''}`;
    for (const l of table) {
      const h = Object.entries(l.preset.hyper).map(([k, v]) => `${k}=${v}`).join(' ');
      console.log(`${l.name.padEnd(8)} ${l.title} — ${l.paper}`);
      console.log(`         D: ${l.formulaD}`);
      console.log(`         G: ${l.formulaG}`);
      console.log(`         preset: ${opt(l.preset.optimizerD)}, n_critic ${l.preset.nCritic}${h ? `, ${h}` : ''}${l.preset.batchSize ? `, batch ${l.preset.batchSize}` : ''}`);
      console.log(`         source: ${l.preset.source}\n`);
    }
    console.log('Variants (wrap a loss):');
    for (const v of VARIANTS) console.log(`${v.name.padEnd(8)} ${v.title} — ${v.paper}\n         ${v.description}\n         preset: ${v.preset.source}\n`);
    return 0;
  },
};
