/**
 * Plots as SVG, rendered to PNG with resvg: the 2-D scatter of real vs generated samples over the
 * discriminator's field with the generator's gradient arrows (the pictures GAN Lab teaches with),
 * and line charts of the logged metrics. No browser, no canvas: the same SVG can go into HTML.
 */
import { Resvg } from '@resvg/resvg-js';

export interface Extent {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) =>
  Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : Math.abs(v) >= 1e4 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(3)).toString();

export function svgToPng(svg: string, width?: number): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: width ? { mode: 'width', value: width } : { mode: 'original' },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return resvg.render().asPng();
}

/** Round tick values covering [lo, hi]; `integer`: whole numbers only (steps). */
export function ticks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const round = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const step = integer ? Math.max(1, Math.round(round)) : round;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** Blue (low) → white → red (high), for values in [0, 1]. */
function diverging(t: number): string {
  const c = Math.min(1, Math.max(0, t));
  const lerp = (a: number, b: number, u: number) => Math.round(a + (b - a) * u);
  const [r, g, b] = c < 0.5 ? [lerp(49, 247, c * 2), lerp(104, 247, c * 2), lerp(176, 247, c * 2)] : [lerp(247, 202, (c - 0.5) * 2), lerp(247, 0, (c - 0.5) * 2), lerp(247, 32, (c - 0.5) * 2)];
  return `rgb(${r},${g},${b})`;
}

export interface ScatterOptions {
  real: Float32Array;
  fake: Float32Array;
  extent: Extent;
  title: string;
  subtitle?: string;
  /** D's value on a res×res grid over `extent`, row-major from (xMin, yMin). */
  field?: { values: Float32Array; res: number; label: string };
  /** Arrows from generated points along the generator's update direction. */
  arrows?: { points: Float32Array; directions: Float32Array };
  /** Mode centres, drawn as rings. */
  modes?: Array<[number, number]>;
}

export function scatterSvg(o: ScatterOptions): string {
  const size = 560;
  const pad = { left: 56, right: 90, top: 56, bottom: 66 };
  const w = size - pad.left - pad.right;
  const h = size - pad.top - pad.bottom;
  const { xMin, xMax, yMin, yMax } = o.extent;
  const sx = (x: number) => pad.left + ((x - xMin) / (xMax - xMin)) * w;
  const sy = (y: number) => pad.top + h - ((y - yMin) / (yMax - yMin)) * h;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" font-family="DejaVu Sans, sans-serif">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${pad.left}" y="24" font-size="16" font-weight="bold">${esc(o.title)}</text>`);
  if (o.subtitle) parts.push(`<text x="${pad.left}" y="42" font-size="12" fill="#444">${esc(o.subtitle)}</text>`);
  parts.push(`<clipPath id="plot"><rect x="${pad.left}" y="${pad.top}" width="${w}" height="${h}"/></clipPath>`);
  if (o.field) {
    const { values, res } = o.field;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = hi - lo || 1;
    const cw = w / res;
    const ch = h / res;
    for (let j = 0; j < res; j++) {
      for (let i = 0; i < res; i++) {
        const v = values[j * res + i];
        parts.push(`<rect x="${(pad.left + i * cw).toFixed(2)}" y="${(pad.top + h - (j + 1) * ch).toFixed(2)}" width="${(cw + 0.5).toFixed(2)}" height="${(ch + 0.5).toFixed(2)}" fill="${diverging((v - lo) / span)}"/>`);
      }
    }
    // colour bar
    const bx = pad.left + w + 18;
    for (let k = 0; k < 50; k++) parts.push(`<rect x="${bx}" y="${(pad.top + h - ((k + 1) * h) / 50).toFixed(2)}" width="14" height="${(h / 50 + 0.5).toFixed(2)}" fill="${diverging(k / 49)}"/>`);
    parts.push(`<text x="${bx + 18}" y="${pad.top + 10}" font-size="10">${fmt(hi)}</text>`);
    parts.push(`<text x="${bx + 18}" y="${pad.top + h}" font-size="10">${fmt(lo)}</text>`);
    parts.push(`<text transform="translate(${bx + 44},${pad.top + h / 2}) rotate(90)" font-size="11" text-anchor="middle">${esc(o.field.label)}</text>`);
  }
  parts.push(`<g clip-path="url(#plot)">`);
  for (let i = 0; i < o.real.length; i += 2) parts.push(`<circle cx="${sx(o.real[i]).toFixed(1)}" cy="${sy(o.real[i + 1]).toFixed(1)}" r="1.6" fill="#1b7837" fill-opacity="0.55"/>`);
  for (let i = 0; i < o.fake.length; i += 2) parts.push(`<circle cx="${sx(o.fake[i]).toFixed(1)}" cy="${sy(o.fake[i + 1]).toFixed(1)}" r="1.6" fill="#762a83" fill-opacity="0.55"/>`);
  o.modes?.forEach(([cx, cy]) => parts.push(`<circle cx="${sx(cx).toFixed(1)}" cy="${sy(cy).toFixed(1)}" r="6" fill="none" stroke="#1b7837" stroke-width="1"/>`));
  if (o.arrows) {
    const { points, directions } = o.arrows;
    let maxLen = 0;
    for (let i = 0; i < directions.length; i += 2) maxLen = Math.max(maxLen, Math.hypot(directions[i], directions[i + 1]));
    const scale = maxLen > 0 ? (0.06 * (xMax - xMin)) / maxLen : 0;
    for (let i = 0; i < points.length; i += 2) {
      const x0 = sx(points[i]);
      const y0 = sy(points[i + 1]);
      const x1 = sx(points[i] + directions[i] * scale);
      const y1 = sy(points[i + 1] + directions[i + 1] * scale);
      parts.push(`<line x1="${x0.toFixed(1)}" y1="${y0.toFixed(1)}" x2="${x1.toFixed(1)}" y2="${y1.toFixed(1)}" stroke="#222" stroke-width="0.8"/>`);
      parts.push(`<circle cx="${x1.toFixed(1)}" cy="${y1.toFixed(1)}" r="1" fill="#222"/>`);
    }
  }
  parts.push(`</g>`);
  parts.push(axes(pad.left, pad.top, w, h, o.extent, 'x', 'y'));
  // legend
  const ly = size - 8;
  parts.push(`<circle cx="${pad.left + 6}" cy="${ly - 4}" r="4" fill="#1b7837"/><text x="${pad.left + 14}" y="${ly}" font-size="11">real</text>`);
  parts.push(`<circle cx="${pad.left + 66}" cy="${ly - 4}" r="4" fill="#762a83"/><text x="${pad.left + 74}" y="${ly}" font-size="11">generated</text>`);
  if (o.arrows) parts.push(`<line x1="${pad.left + 160}" y1="${ly - 4}" x2="${pad.left + 180}" y2="${ly - 4}" stroke="#222"/><text x="${pad.left + 186}" y="${ly}" font-size="11">generator's update direction</text>`);
  parts.push(`</svg>`);
  return parts.join('\n');
}

function axes(left: number, top: number, w: number, h: number, e: Extent, xLabel: string, yLabel: string, integerX = false): string {
  const parts = [`<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`];
  for (const t of ticks(e.xMin, e.xMax, 5, integerX)) {
    const x = left + ((t - e.xMin) / (e.xMax - e.xMin)) * w;
    parts.push(`<line x1="${x}" y1="${top + h}" x2="${x}" y2="${top + h + 4}" stroke="#333"/><text x="${x}" y="${top + h + 16}" font-size="10" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ticks(e.yMin, e.yMax)) {
    const y = top + h - ((t - e.yMin) / (e.yMax - e.yMin)) * h;
    parts.push(`<line x1="${left - 4}" y1="${y}" x2="${left}" y2="${y}" stroke="#333"/><text x="${left - 6}" y="${y + 3}" font-size="10" text-anchor="end">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${left + w / 2}" y="${top + h + 32}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(${left - 38},${top + h / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(yLabel)}</text>`);
  return parts.join('');
}

export interface Series {
  name: string;
  xs: number[];
  ys: Array<number | null>;
  /** A value drawn as a dashed line across the chart (real data against itself). */
  reference?: number;
}

export interface Panel {
  title: string;
  yLabel: string;
  series: Series[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];

/** A series with at most this many points gets a marker on each (a dense curve stays a line). */
const MARKED_POINTS = 120;

/** A grid of line charts sharing the x axis label ("step"; `integerX`: whole-number ticks). */
export function panelsSvg(title: string, panels: Panel[], columns = 2, xLabel = 'step', integerX = xLabel === 'step'): string {
  const pw = 380;
  const ph = 230;
  const rows = Math.ceil(panels.length / columns);
  const width = columns * pw;
  const height = rows * ph + 40;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`, `<rect width="100%" height="100%" fill="white"/>`];
  parts.push(`<text x="16" y="26" font-size="16" font-weight="bold">${esc(title)}</text>`);
  panels.forEach((panel, k) => {
    const ox = (k % columns) * pw;
    const oy = 40 + Math.floor(k / columns) * ph;
    const left = ox + 60;
    // Under the title, a row for the legend: outside the plot, so no label sits on a line.
    const top = oy + 36;
    const w = pw - 80;
    const h = ph - 82;
    const points = panel.series.flatMap((s) => s.xs.map((x, i) => [x, s.ys[i]] as const)).filter(([, y]) => y !== null && Number.isFinite(y)) as Array<[number, number]>;
    const references = panel.series.map((s) => s.reference).filter((r): r is number => r !== undefined && Number.isFinite(r));
    parts.push(`<g data-panel="${esc(panel.title)}">`, `<text x="${left}" y="${oy + 16}" font-size="12" font-weight="bold">${esc(panel.title)}</text>`);
    if (points.length === 0) {
      parts.push(`<text x="${left + w / 2}" y="${top + h / 2}" font-size="11" text-anchor="middle" fill="#888">no data</text>`, '</g>');
      return;
    }
    let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const [x, y] of points) {
      xMin = Math.min(xMin, x);
      xMax = Math.max(xMax, x);
      yMin = Math.min(yMin, y);
      yMax = Math.max(yMax, y);
    }
    for (const r of references) [yMin, yMax] = [Math.min(yMin, r), Math.max(yMax, r)];
    // One step: the point in the middle of a two-step axis (whole-step ticks, not 200 200 201 201).
    if (xMax === xMin) [xMin, xMax] = [xMin - 1, xMax + 1];
    if (yMax === yMin) {
      yMax += Math.abs(yMax) * 0.1 || 1;
      yMin -= Math.abs(yMin) * 0.1 || 1;
    }
    const e = { xMin, xMax, yMin, yMax };
    parts.push(axes(left, top, w, h, e, xLabel, panel.yLabel, integerX));
    const legend = panel.series.length > 1 ? panel.series.map((s, si) => `<tspan fill="${PALETTE[si % PALETTE.length]}">■ ${esc(s.name)}</tspan>`) : [];
    if (references.length) legend.push(`<tspan fill="#555">- - - real vs real</tspan>`);
    if (legend.length) parts.push(`<text x="${left + w}" y="${oy + 30}" font-size="10" text-anchor="end" xml:space="preserve">${legend.join('   ')}</text>`);
    const X = (x: number) => (left + ((x - xMin) / (xMax - xMin)) * w).toFixed(1);
    const Y = (y: number) => (top + h - ((y - yMin) / (yMax - yMin)) * h).toFixed(1);
    panel.series.forEach((s, si) => {
      const color = PALETTE[si % PALETTE.length];
      // Each series over the rows that hold it: a row without the column (scores every plotEvery
      // steps, rows every logEvery) is skipped, not a gap; a non-finite value is a gap.
      const segs: string[] = [];
      const marks: string[] = [];
      let pen = 'M';
      s.xs.forEach((x, i) => {
        const y = s.ys[i];
        if (y === null || y === undefined) return;
        if (!Number.isFinite(y)) {
          pen = 'M';
          return;
        }
        segs.push(`${pen}${X(x)},${Y(y)}`);
        marks.push(`<circle cx="${X(x)}" cy="${Y(y)}" r="2.2" fill="${color}"/>`);
        pen = 'L';
      });
      if (segs.length) parts.push(`<path d="${segs.join(' ')}" fill="none" stroke="${color}" stroke-width="1.4"/>`);
      if (marks.length <= MARKED_POINTS) parts.push(...marks);
      if (s.reference !== undefined && Number.isFinite(s.reference)) {
        parts.push(`<line x1="${left}" y1="${Y(s.reference)}" x2="${left + w}" y2="${Y(s.reference)}" stroke="${color}" stroke-width="1.2" stroke-dasharray="5 3"><title>${esc(`${s.name}: real vs real ${fmt(s.reference)}`)}</title></line>`);
      }
    });
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** A metric column as metrics.png draws it: the metric table's spec (src/runfolder/columns.ts). */
export interface ChartedColumn {
  name: string;
  label: string;
  unit: string;
  panel?: string;
  series?: string;
  hideWhenZero?: boolean;
}

/**
 * metrics.png's panels from the metric table: one per chart the columns name, in table order, each
 * column a series over the rows that hold it. A chart none of whose columns has a value (only 0,
 * for `hideWhenZero`) is left out. `reference`: values of real data against itself, drawn dashed.
 */
export function metricPanels(rows: ReadonlyArray<Readonly<Record<string, unknown>>>, columns: readonly ChartedColumn[], reference: Readonly<Record<string, number>> = {}): Panel[] {
  const xs = rows.map((r) => r.step as number);
  const shown = (c: ChartedColumn) => rows.some((r) => typeof r[c.name] === 'number' && (!c.hideWhenZero || r[c.name] !== 0));
  const panels: Panel[] = [];
  for (const c of columns) {
    if (c.panel === undefined || !shown(c)) continue;
    let panel = panels.find((p) => p.title === c.panel);
    if (!panel) panels.push((panel = { title: c.panel, yLabel: c.unit, series: [] }));
    const ys = rows.map((r) => (typeof r[c.name] === 'number' ? (r[c.name] as number) : null));
    panel.series.push({ name: c.series ?? c.label, xs, ys, ...(reference[c.name] !== undefined ? { reference: reference[c.name] } : {}) });
  }
  return panels;
}

/** Twelve distinguishable colours for charts with many series (the first eight are PALETTE's). */
const WIDE_PALETTE = [...PALETTE, '#e377c2', '#bcbd22', '#000000', '#aec7e8'];

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Log-scale y axis (ticks at 1, 2, 5 × 10^k; finer within a decade). */
  logY?: boolean;
  width?: number;
  height?: number;
}

/** One line chart with a legend beside it: many series (up to 12 colours, then dashed repeats). */
export function lineChartSvg(o: LineChartOptions): string {
  const width = o.width ?? 860;
  const height = o.height ?? 420;
  const legendW = 170;
  const [left, top] = [70, 48];
  const w = width - left - legendW - 20;
  const h = height - top - 50;
  const ty = (y: number) => (o.logY ? Math.log10(y) : y);
  const pts = o.series.flatMap((s) => s.xs.map((x, i) => [x, s.ys[i]] as const)).filter(([, y]) => y !== null && Number.isFinite(y) && (!o.logY || y > 0)) as Array<[number, number]>;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`, `<rect width="100%" height="100%" fill="white"/>`];
  parts.push(`<text x="16" y="26" font-size="16" font-weight="bold">${esc(o.title)}</text>`);
  if (!pts.length) {
    parts.push(`<text x="${left + w / 2}" y="${top + h / 2}" font-size="12" text-anchor="middle" fill="#888">no data</text>`, '</svg>');
    return parts.join('\n');
  }
  let [xMin, xMax] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [yMin, yMax] = [Math.min(...pts.map((p) => ty(p[1]))), Math.max(...pts.map((p) => ty(p[1])))];
  if (xMax === xMin) xMax = xMin + 1;
  if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const X = (x: number) => left + ((x - xMin) / (xMax - xMin)) * w;
  const Y = (y: number) => top + h - ((ty(y) - yMin) / (yMax - yMin)) * h;
  parts.push(`<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  for (const t of ticks(xMin, xMax)) parts.push(`<line x1="${X(t)}" y1="${top + h}" x2="${X(t)}" y2="${top + h + 4}" stroke="#333"/><text x="${X(t)}" y="${top + h + 17}" font-size="11" text-anchor="middle">${fmt(t)}</text>`);
  const yTicks = o.logY
    ? Array.from({ length: Math.floor(yMax) - Math.floor(yMin) + 1 }, (_, k) => Math.floor(yMin) + k).flatMap((e) => (yMax - yMin < 1.2 ? [1, 1.5, 2, 3, 5, 7] : [1, 2, 5]).map((m) => m * 10 ** e)).filter((v) => ty(v) >= yMin - 1e-9 && ty(v) <= yMax + 1e-9)
    : ticks(yMin, yMax);
  for (const t of yTicks) parts.push(`<line x1="${left - 4}" y1="${Y(t)}" x2="${left + w}" y2="${Y(t)}" stroke="#ddd"/><text x="${left - 7}" y="${Y(t) + 4}" font-size="11" text-anchor="end">${fmt(t)}</text>`);
  parts.push(`<text x="${left + w / 2}" y="${height - 10}" font-size="12" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text x="18" y="${top + h / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 18 ${top + h / 2})">${esc(o.yLabel)}${o.logY ? ' (log scale)' : ''}</text>`);
  o.series.forEach((s, si) => {
    const color = WIDE_PALETTE[si % WIDE_PALETTE.length];
    const dash = si >= WIDE_PALETTE.length ? ' stroke-dasharray="6 3"' : '';
    let pen = 'M';
    const segs: string[] = [];
    s.xs.forEach((x, i) => {
      const y = s.ys[i];
      if (y === null || !Number.isFinite(y) || (o.logY && y <= 0)) {
        pen = 'M';
        return;
      }
      segs.push(`${pen}${X(x).toFixed(1)},${Y(y).toFixed(1)}`);
      pen = 'L';
    });
    parts.push(`<path d="${segs.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    const ly = top + 8 + si * 18;
    parts.push(`<line x1="${left + w + 14}" y1="${ly}" x2="${left + w + 36}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/><text x="${left + w + 42}" y="${ly + 4}" font-size="12">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** One row of a forest plot: an effect with its interval, in units of its equivalence margin. */
export interface ForestRow {
  label: string;
  /** Effect ÷ margin (claim's direction positive); NaN: no estimate (drawn hollow at 0). */
  estimate: number;
  lo: number;
  hi: number;
  colour: string;
  hollow?: boolean;
  /** The effect in its own units, written at the right. */
  text: string;
}

/**
 * A forest plot: one row per comparison, the effect and its interval on a common axis (each
 * effect divided by its equivalence margin, so the grey band [−1, 1] is "no difference" for every
 * row), a line at 0; values beyond the axis end in an arrow.
 */
export function forestSvg(o: { title: string; xLabel: string; rows: ForestRow[]; legend?: Array<{ name: string; colour: string }>; limit?: number }): string {
  const limit = o.limit ?? 6;
  const rowH = 22;
  const [labelW, textW] = [280, 470];
  const plotW = 380;
  const top = 56;
  const height = top + o.rows.length * rowH + 60;
  const width = labelW + plotW + textW + 20;
  const X = (v: number) => labelW + ((Math.max(-limit, Math.min(limit, v)) + limit) / (2 * limit)) * plotW;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`, `<rect width="100%" height="100%" fill="white"/>`];
  parts.push(`<text x="16" y="24" font-size="16" font-weight="bold">${esc(o.title)}</text>`);
  const bottom = top + o.rows.length * rowH;
  parts.push(`<rect x="${X(-1)}" y="${top - 6}" width="${X(1) - X(-1)}" height="${bottom - top + 6}" fill="#e6e6e6"/>`);
  parts.push(`<line x1="${X(0)}" y1="${top - 6}" x2="${X(0)}" y2="${bottom}" stroke="#555"/>`);
  for (const t of ticks(-limit, limit, 6)) parts.push(`<line x1="${X(t)}" y1="${bottom}" x2="${X(t)}" y2="${bottom + 4}" stroke="#333"/><text x="${X(t)}" y="${bottom + 17}" font-size="11" text-anchor="middle">${fmt(t)}</text>`);
  parts.push(`<text x="${X(0)}" y="${bottom + 34}" font-size="12" text-anchor="middle">${esc(o.xLabel)}</text>`);
  o.rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    if (i % 2 === 0) parts.push(`<rect x="8" y="${y - rowH / 2}" width="${width - 16}" height="${rowH}" fill="#000" fill-opacity="0.03"/>`);
    parts.push(`<text x="${labelW - 10}" y="${y + 4}" font-size="11" text-anchor="end">${esc(r.label)}</text>`);
    parts.push(`<text x="${labelW + plotW + 12}" y="${y + 4}" font-size="11" fill="${r.colour}">${esc(r.text)}</text>`);
    if (Number.isNaN(r.estimate)) {
      parts.push(`<circle cx="${X(0)}" cy="${y}" r="5" fill="white" stroke="${r.colour}" stroke-width="1.5"/>`);
      return;
    }
    const [lo, hi] = [Number.isNaN(r.lo) ? r.estimate : r.lo, Number.isNaN(r.hi) ? r.estimate : r.hi];
    parts.push(`<line x1="${X(lo)}" y1="${y}" x2="${X(hi)}" y2="${y}" stroke="${r.colour}" stroke-width="2"/>`);
    if (lo < -limit) parts.push(`<path d="M${X(-limit)},${y} l7,-4 l0,8 z" fill="${r.colour}"/>`);
    if (hi > limit) parts.push(`<path d="M${X(limit)},${y} l-7,-4 l0,8 z" fill="${r.colour}"/>`);
    parts.push(`<rect x="${X(r.estimate) - 5}" y="${y - 5}" width="10" height="10" fill="${r.hollow ? 'white' : r.colour}" stroke="${r.colour}" stroke-width="1.5"/>`);
  });
  (o.legend ?? []).forEach((l, i) => {
    const x = labelW + i * 120;
    parts.push(`<rect x="${x}" y="${height - 16}" width="10" height="10" fill="${l.colour}"/><text x="${x + 14}" y="${height - 7}" font-size="11">${esc(l.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** A row of a strip chart: one label, its values (dots), optionally a mean with an interval. */
export interface StripRow {
  label: string;
  values: number[];
  colour?: string;
  interval?: { estimate: number; lo: number; hi: number };
}

/**
 * Strip charts, side by side: per row a dot per value (seeds, configurations), the mean and its
 * interval as a bar; an x range can be shaded (e.g. "never learnt"). Non-finite values are drawn
 * at the right edge as crosses (a run that failed or never got there).
 */
export function stripSvg(o: { title: string; panels: Array<{ title: string; xLabel: string; rows: StripRow[]; logX?: boolean; shade?: { from: number; to: number; label: string }; range?: [number, number] }> }): string {
  const labelW = 130;
  const pw = 330;
  const rowH = 20;
  const maxRows = Math.max(1, ...o.panels.map((p) => p.rows.length));
  const height = 60 + maxRows * rowH + 50;
  const width = o.panels.length * (labelW + pw + 20) + 10;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`, `<rect width="100%" height="100%" fill="white"/>`];
  parts.push(`<text x="16" y="24" font-size="16" font-weight="bold">${esc(o.title)}</text>`);
  o.panels.forEach((p, k) => {
    const ox = k * (labelW + pw + 20) + labelW;
    const top = 60;
    const bottom = top + p.rows.length * rowH;
    const t = (v: number) => (p.logX ? Math.log10(v) : v);
    const finite = p.rows.flatMap((r) => [...r.values, ...(r.interval ? [r.interval.lo, r.interval.hi] : [])]).filter((v) => Number.isFinite(v) && (!p.logX || v > 0));
    let [lo, hi] = p.range ?? [Math.min(...finite.map(t)), Math.max(...finite.map(t))];
    if (!finite.length && !p.range) [lo, hi] = [0, 1];
    if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
    const pad = (hi - lo) * 0.05;
    [lo, hi] = [lo - pad, hi + pad];
    const X = (v: number) => ox + ((Math.max(lo, Math.min(hi, t(v))) - lo) / (hi - lo)) * (pw - 20);
    parts.push(`<text x="${ox}" y="${top - 16}" font-size="12" font-weight="bold">${esc(p.title)}</text>`);
    if (p.shade) {
      const [a, b] = [X(Math.max(p.shade.from, p.logX ? 10 ** lo : lo)), X(Math.min(p.shade.to, p.logX ? 10 ** hi : hi))];
      if (b > a) parts.push(`<rect x="${a}" y="${top - 4}" width="${b - a}" height="${bottom - top + 4}" fill="#f3e3c3"/><text x="${a + 3}" y="${bottom + 44}" font-size="10" fill="#a07020">${esc(p.shade.label)}</text>`);
    }
    parts.push(`<line x1="${ox}" y1="${bottom}" x2="${ox + pw - 20}" y2="${bottom}" stroke="#333"/>`);
    const tickValues = p.logX ? ticks(lo, hi, 4).map((v) => 10 ** v) : ticks(lo, hi, 5);
    for (const v of tickValues) parts.push(`<line x1="${X(v)}" y1="${bottom}" x2="${X(v)}" y2="${bottom + 4}" stroke="#333"/><text x="${X(v)}" y="${bottom + 16}" font-size="10" text-anchor="middle">${fmt(v)}</text>`);
    parts.push(`<text x="${ox + (pw - 20) / 2}" y="${bottom + 30}" font-size="11" text-anchor="middle">${esc(p.xLabel)}${p.logX ? ' (log scale)' : ''}</text>`);
    p.rows.forEach((r, i) => {
      const y = top + i * rowH + rowH / 2;
      const colour = r.colour ?? PALETTE[i % PALETTE.length];
      parts.push(`<text x="${ox - 8}" y="${y + 4}" font-size="11" text-anchor="end">${esc(r.label)}</text>`);
      if (r.interval && Number.isFinite(r.interval.lo) && Number.isFinite(r.interval.hi)) parts.push(`<line x1="${X(r.interval.lo)}" y1="${y + 6}" x2="${X(r.interval.hi)}" y2="${y + 6}" stroke="${colour}" stroke-width="2"/>`);
      if (r.interval && Number.isFinite(r.interval.estimate)) parts.push(`<line x1="${X(r.interval.estimate)}" y1="${y + 2}" x2="${X(r.interval.estimate)}" y2="${y + 10}" stroke="${colour}" stroke-width="2"/>`);
      r.values.forEach((v, j) => {
        const jitter = ((j % 5) - 2) * 1.5;
        if (!Number.isFinite(v) || (p.logX && v <= 0)) parts.push(`<text x="${ox + pw - 14}" y="${y + 3 + jitter}" font-size="10" fill="${colour}">×</text>`);
        else parts.push(`<circle cx="${X(v)}" cy="${y - 2 + jitter}" r="3" fill="${colour}" fill-opacity="0.6"/>`);
      });
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Groups of (x, y) points in one chart, with an optional shaded x range. */
export function groupsScatterSvg(o: { title: string; xLabel: string; yLabel: string; groups: Array<{ name: string; xs: number[]; ys: number[] }>; shadeX?: { from: number; to: number; label: string }; xRange?: [number, number]; yRange?: [number, number] }): string {
  const [width, height] = [760, 420];
  const [left, top] = [70, 48];
  const legendW = 150;
  const w = width - left - legendW - 20;
  const h = height - top - 50;
  const xs = o.groups.flatMap((g) => g.xs).filter(Number.isFinite);
  const ys = o.groups.flatMap((g) => g.ys).filter(Number.isFinite);
  const [xMin, xMax] = o.xRange ?? [Math.min(...xs, 0), Math.max(...xs, 1)];
  const [yMin, yMax] = o.yRange ?? [Math.min(...ys, 0), Math.max(...ys, 1)];
  const X = (x: number) => left + ((x - xMin) / (xMax - xMin || 1)) * w;
  const Y = (y: number) => top + h - ((y - yMin) / (yMax - yMin || 1)) * h;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`, `<rect width="100%" height="100%" fill="white"/>`];
  parts.push(`<text x="16" y="26" font-size="16" font-weight="bold">${esc(o.title)}</text>`);
  if (o.shadeX) {
    const [a, b] = [X(Math.max(xMin, o.shadeX.from)), X(Math.min(xMax, o.shadeX.to))];
    if (b > a) parts.push(`<rect x="${a}" y="${top}" width="${b - a}" height="${h}" fill="#f3e3c3"/><text x="${a + 4}" y="${top + 14}" font-size="11" fill="#a07020">${esc(o.shadeX.label)}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  for (const t of ticks(xMin, xMax)) parts.push(`<line x1="${X(t)}" y1="${top + h}" x2="${X(t)}" y2="${top + h + 4}" stroke="#333"/><text x="${X(t)}" y="${top + h + 17}" font-size="11" text-anchor="middle">${fmt(t)}</text>`);
  for (const t of ticks(yMin, yMax)) parts.push(`<line x1="${left - 4}" y1="${Y(t)}" x2="${left + w}" y2="${Y(t)}" stroke="#ddd"/><text x="${left - 7}" y="${Y(t) + 4}" font-size="11" text-anchor="end">${fmt(t)}</text>`);
  parts.push(`<text x="${left + w / 2}" y="${height - 10}" font-size="12" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text x="18" y="${top + h / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 18 ${top + h / 2})">${esc(o.yLabel)}</text>`);
  o.groups.forEach((g, gi) => {
    const colour = WIDE_PALETTE[gi % WIDE_PALETTE.length];
    g.xs.forEach((x, i) => {
      if (Number.isFinite(x) && Number.isFinite(g.ys[i])) parts.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(g.ys[i]).toFixed(1)}" r="4" fill="${colour}" fill-opacity="0.65"/>`);
    });
    const ly = top + 8 + gi * 18;
    parts.push(`<circle cx="${left + w + 22}" cy="${ly}" r="4" fill="${colour}"/><text x="${left + w + 32}" y="${ly + 4}" font-size="12">${esc(g.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
