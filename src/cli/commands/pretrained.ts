/** `gankit pretrained`: the generators shipped with gankit, their data, loss, step and scores. */
import { listPretrained, pretrainedDir } from '../../pretrained/index.js';
import { metricColumns } from '../../runfolder/columns.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

/** The table's score columns: the headline measures of the metric table, as info.json keys, header, decimals. */
const scoreColumns = (): Array<[string, string, number]> => metricColumns().flatMap((c) => (c.headline ? [[c.name, c.headline.header, c.headline.digits] as [string, string, number]] : []));

export const pretrained: Command = {
  name: 'pretrained',
  summary: 'list the shipped pretrained generators (for sample/export --pretrained NAME)',
  help: () => `Usage: gankit pretrained [--json]

Lists the pretrained generators under assets/pretrained/ (made by npm run bench:fashion and
bench:pretrained) as a table: name, generator steps, the weights (EMA or G's own, + D where the
discriminator ships too), their storage (float16 or float32), the number of samples the scores
were measured on (N: 10,000 for the image models, against the 10,000 test images, on gankit's
feature network) and the scores of the shipped weights; the description below. Use one with
gankit sample --pretrained NAME or gankit export --pretrained NAME.`,

  run(argv) {
    const values = parse(argv, { json: { type: 'boolean' } });
    const all = listPretrained();
    if (values.json) {
      console.log(JSON.stringify({ dir: pretrainedDir(), models: all }, null, 2));
      return 0;
    }
    if (!all.length) {
      console.log(`no pretrained models in ${pretrainedDir()}`);
      return 0;
    }
    const columns = scoreColumns().filter(([key]) => all.some((p) => p.scores[key] !== undefined));
    const header = ['name', 'G steps', 'weights', 'stored', 'N', ...columns.map(([, label]) => label)];
    const rows = all.map((p) => [
      p.name,
      String(p.step),
      `${p.weights}${p.discriminator ? ' + D' : ''}`,
      p.storage ?? 'float32',
      p.samples !== undefined ? String(p.samples) : '–',
      ...columns.map(([key, , digits]) => (p.scores[key] === undefined ? '–' : p.scores[key].toFixed(digits))),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
    console.log(line(header));
    for (const r of rows) console.log(line(r));
    console.log('');
    for (const p of all) console.log(`${p.name}: ${p.description}`);
    return 0;
  },
};
