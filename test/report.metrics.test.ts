/**
 * metrics.png from the metric table, on a fixture image run whose scores are logged every 200 steps
 * and rows every 50 (test/fixtures/metrics-image-run): every panel draws data, each series over the
 * rows that hold it with a marker on each point, the real-vs-real value dashed, and an axis of one
 * scored step reads as whole steps. The table itself: every column a loss or term logs is defined,
 * and its panels follow the definitions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { metricsSvg } from '../src/runner/run.js';
import { svgToPng } from '../src/report/plots.js';
import { metricColumns, metricColumn, parseMetrics, defineMetricColumns, STEP_COLUMNS } from '../src/runfolder/index.js';
import type { MetricColumnSpec } from '../src/runfolder/index.js';
import { IMAGE_COLUMNS, POINT_COLUMNS } from '../src/kinds/index.js';
import { listLosses, composeObjective, INFOGAN_DEFAULTS } from '../src/losses/index.js';

const FIXTURE = new URL('../../test/fixtures/metrics-image-run/', import.meta.url);
const rows = parseMetrics(readFileSync(new URL('metrics.jsonl', FIXTURE), 'utf8'), 'metrics.jsonl');
const realVsReal = JSON.parse(readFileSync(new URL('summary.json', FIXTURE), 'utf8')).realVsReal as Record<string, number>;

/** Each panel of a metrics SVG: its title and its markup. */
function panels(svg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of svg.matchAll(/<g data-panel="([^"]*)">([\s\S]*?)<\/g>/g)) out.set(m[1], m[2]);
  return out;
}

/** The x-axis tick labels of a panel (the labels below the plot, text-anchor middle, font 10). */
const xTicks = (markup: string) => [...markup.matchAll(/font-size="10" text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1]);

describe('metrics.png', () => {
  it('every panel of a fixture image run draws data: scores logged every 4th row are lines with markers, real vs real dashed', () => {
    const svg = metricsSvg(rows, 'fixture', realVsReal);
    const drawn = panels(svg);
    const expected = [...new Set(metricColumns().filter((c) => c.panel && rows.some((r) => typeof r[c.name] === 'number' && (!c.hideWhenZero || r[c.name] !== 0))).map((c) => c.panel!))];
    assert.deepEqual([...drawn.keys()], expected, 'one panel per chart of the table that the rows hold, in table order');
    const imageColumns: readonly MetricColumnSpec[] = IMAGE_COLUMNS;
    for (const column of imageColumns.filter((c) => c.panel && rows.some((r) => typeof r[c.name] === 'number'))) assert.ok(drawn.has(column.panel!), `${column.name}: no panel`);
    for (const [title, markup] of drawn) {
      assert.doesNotMatch(markup, /no data/, `${title}: no data`);
      const lines = [...markup.matchAll(/<path d="(M[^"]*)"/g)].map((m) => m[1]);
      assert.ok(lines.length > 0, `${title}: no line`);
      assert.ok(lines.every((d) => !/ M/.test(d)), `${title}: a line broken by rows without the column`);
      assert.ok(/<circle /.test(markup), `${title}: no markers`);
      // The legend sits above the plot's frame, never on a line.
      const frameTop = Number(/<rect x="[\d.]+" y="([\d.]+)"[^>]*stroke="#333"/.exec(markup)![1]);
      const legend = /<text x="[\d.]+" y="([\d.]+)"[^>]*xml:space="preserve">(.*?)<\/text>/.exec(markup);
      const series = metricColumns().filter((c) => c.panel === title && rows.some((r) => typeof r[c.name] === 'number'));
      if (series.length > 1) {
        assert.ok(legend, `${title}: no legend`);
        assert.ok(Number(legend[1]) < frameTop, `${title}: the legend (y ${legend[1]}) is inside the plot (top ${frameTop})`);
        for (const c of series) assert.ok(legend[2].includes(`■ ${c.series ?? c.label}`), `${title}: ${c.series ?? c.label} not in the legend`);
      }
    }
    const fid = drawn.get(metricColumn(IMAGE_COLUMNS[0].name)!.panel!)!;
    assert.equal([...fid.matchAll(/<path d="M[^"]*L/g)].length, 1, 'the two FID scores are joined');
    assert.match(fid, /stroke-dasharray="5 3"/, 'real vs real dashed');
    assert.match(fid, /FID: real vs real 1\.9/);
    const png = PNG.sync.read(svgToPng(svg));
    assert.ok(png.width > 500 && png.height > 500);
  });

  it('one scored step: whole-step ticks around it, not 200 200 200 201 201 201', () => {
    const first = rows.slice(0, 4);
    const fid = panels(metricsSvg(first, 'fixture')).get(metricColumn(IMAGE_COLUMNS[0].name)!.panel!)!;
    const ticks = xTicks(fid);
    assert.deepEqual(ticks, [...new Set(ticks)], `repeated ticks: ${ticks.join(' ')}`);
    assert.ok(ticks.includes('200'), ticks.join(' '));
    assert.ok(ticks.every((t) => Number.isInteger(Number(t))), ticks.join(' '));
  });

  it('the table: every column a built-in loss or term logs is defined, and a clash is refused', () => {
    const names = new Set(metricColumns().map((c) => c.name));
    for (const c of [...STEP_COLUMNS, ...IMAGE_COLUMNS, ...POINT_COLUMNS]) assert.ok(names.has(c.name));
    for (const loss of listLosses()) {
      const logged = Object.keys(loss.diagnostics({ real: 0.5, fake: -0.5 }, loss.preset.hyper, loss.initialState()));
      const own = (loss.columns ?? []).map((c) => c.name);
      assert.deepEqual(logged.filter((k) => !own.includes(k) || !names.has(k)), [], `${loss.name} logs columns it does not define`);
    }
    const terms = composeObjective({ loss: 'ns', infogan: { ...INFOGAN_DEFAULTS, categorical: [...INFOGAN_DEFAULTS.categorical] }, conditional: 'acgan' }).auxiliary;
    assert.equal(terms.length, 2);
    for (const t of terms) assert.ok(names.has(t.name), `term ${t.name}: no column`);
    assert.throws(() => defineMetricColumns([{ ...STEP_COLUMNS[2], label: 'another' }], 'loss'), /defined already/);
    assert.doesNotThrow(() => defineMetricColumns([STEP_COLUMNS[2]], 'trainer'), 'the same spec again is no clash');
  });
});
