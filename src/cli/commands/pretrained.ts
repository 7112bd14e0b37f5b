/** `gankit pretrained`: the generators shipped with gankit, their data, loss, step and scores. */
import { listPretrained, pretrainedDir } from '../../pretrained/index.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const SCORE_ORDER = ['fid', 'kid', 'precision', 'recall', 'classifierScore', 'conditionalAccuracy', 'codeAccuracy', 'modesCovered', 'highQualityShare'];

export const pretrained: Command = {
  name: 'pretrained',
  summary: 'list the shipped pretrained generators (for sample/export --pretrained NAME)',
  help: () => `Usage: gankit pretrained [--json]

Lists the pretrained generators under assets/pretrained/ (made by npm run bench:fashion and
bench:pretrained): name, data, loss, generator steps, what they include and the scores measured
when they were made. Use one with gankit sample --pretrained NAME or gankit export --pretrained NAME.`,

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
    const rows = all.map((p) => {
      const scores = SCORE_ORDER.filter((k) => p.scores[k] !== undefined).map((k) => `${k} ${Number.isInteger(p.scores[k]) ? p.scores[k] : p.scores[k].toFixed(3)}`);
      return [p.name, `${p.step} steps`, `${p.weights}${p.discriminator ? ' + D' : ''}`, scores.join(', '), p.description];
    });
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('  '));
    return 0;
  },
};
