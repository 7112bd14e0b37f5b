/**
 * Curves of several runs on shared axes (`gankit compare --plot`): one panel per measure, one
 * line per run or per group of runs — a group drawn as its mean with a shaded band from its
 * lowest to its highest run. A line is drawn through the steps that have a value, with a marker
 * at each when there are few (scores logged only at plot steps).
 */
import { ticks } from './plots.js';

export interface OverlayLine {
  name: string;
  xs: number[];
  ys: number[];
  /** The band around the line (a group's lowest and highest run), step by step. */
  lo?: number[];
  hi?: number[];
}

export interface OverlayPanel {
  title: string;
  lines: OverlayLine[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f', '#e377c2', '#bcbd22'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const label = (v: number) => (Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : Math.abs(v) >= 1e4 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(3)).toString());

/** The panels in two columns under a legend naming each line (the same colour in every panel). */
export function overlaySvg(title: string, note: string, panels: OverlayPanel[]): string {
  const names = [...new Set(panels.flatMap((p) => p.lines.map((l) => l.name)))];
  const colour = (name: string) => COLOURS[names.indexOf(name) % COLOURS.length];
  const columns = panels.length > 1 ? 2 : 1;
  const [pw, ph] = [420, 250];
  const legendRows = Math.ceil(names.length / 3);
  const top = 52 + legendRows * 16;
  const width = columns * pw + 20;
  const height = top + Math.ceil(panels.length / columns) * ph + 10;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`, '<rect width="100%" height="100%" fill="white"/>'];
  out.push(`<text x="16" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`, `<text x="16" y="42" font-size="11" fill="#444">${esc(note)}</text>`);
  names.forEach((name, i) => {
    const [x, y] = [16 + (i % 3) * ((width - 32) / 3), 58 + Math.floor(i / 3) * 16];
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 20}" y2="${y}" stroke="${colour(name)}" stroke-width="2.5"/><text x="${x + 26}" y="${y + 4}" font-size="11">${esc(name.length > 44 ? `…${name.slice(-43)}` : name)}</text>`);
  });
  panels.forEach((panel, k) => {
    const [ox, oy] = [10 + (k % columns) * pw, top + Math.floor(k / columns) * ph];
    const [left, right, ptop, bottom] = [ox + 56, ox + pw - 14, oy + 24, oy + ph - 36];
    out.push(`<text x="${left}" y="${oy + 14}" font-size="12" font-weight="bold">${esc(panel.title)}</text>`);
    const xs = panel.lines.flatMap((l) => l.xs);
    const ys = panel.lines.flatMap((l) => [...l.ys, ...(l.lo ?? []), ...(l.hi ?? [])]).filter(Number.isFinite);
    if (!xs.length || !ys.length) {
      out.push(`<text x="${(left + right) / 2}" y="${(ptop + bottom) / 2}" font-size="11" text-anchor="middle" fill="#888">no data</text>`);
      return;
    }
    let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
    if (y1 === y0) [y0, y1] = [y0 - (Math.abs(y0) || 1) / 2, y1 + (Math.abs(y1) || 1) / 2];
    const X = (x: number) => left + ((x - x0) / (x1 - x0)) * (right - left);
    const Y = (y: number) => bottom - ((y - y0) / (y1 - y0)) * (bottom - ptop);
    out.push(`<rect x="${left}" y="${ptop}" width="${right - left}" height="${bottom - ptop}" fill="none" stroke="#333"/>`);
    for (const t of ticks(x0, x1, 4)) out.push(`<line x1="${X(t)}" y1="${bottom}" x2="${X(t)}" y2="${bottom + 4}" stroke="#333"/><text x="${X(t)}" y="${bottom + 15}" font-size="10" text-anchor="middle">${label(t)}</text>`);
    for (const t of ticks(y0, y1, 4)) out.push(`<line x1="${left - 4}" y1="${Y(t)}" x2="${right}" y2="${Y(t)}" stroke="#e4e4e4"/><text x="${left - 6}" y="${Y(t) + 3}" font-size="10" text-anchor="end">${label(t)}</text>`);
    out.push(`<text x="${(left + right) / 2}" y="${bottom + 29}" font-size="10" text-anchor="middle">step</text>`);
    for (const line of panel.lines) {
      const c = colour(line.name);
      if (line.lo && line.hi && line.xs.length > 1) {
        const edge = [...line.xs.map((x, i) => `${X(x).toFixed(1)},${Y(line.hi![i]).toFixed(1)}`), ...line.xs.map((x, i) => `${X(x).toFixed(1)},${Y(line.lo![i]).toFixed(1)}`).reverse()];
        out.push(`<polygon points="${edge.join(' ')}" fill="${c}" fill-opacity="0.18" stroke="none"/>`);
      }
      const path = line.xs.map((x, i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(line.ys[i]).toFixed(1)}`).join(' ');
      out.push(`<path d="${path}" fill="none" stroke="${c}" stroke-width="1.8"/>`);
      if (line.xs.length <= 30) for (const [i, x] of line.xs.entries()) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(line.ys[i]).toFixed(1)}" r="2.6" fill="${c}"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n');
}
