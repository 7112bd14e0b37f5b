/**
 * Image grids as PNG (pngjs): samples, class-by-row grids, InfoGAN latent traversals — bare, or
 * captioned (what made them, at which step, with which weights; a label per row) beside the grid.
 */
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';

export interface GridOptions {
  rows: number;
  cols: number;
  height: number;
  width: number;
  channels: number;
  /** Pixels between cells (default 2). */
  gap?: number;
  /** Upscaling factor per pixel (default 2 for images ≤ 32 px). */
  scale?: number;
}

/** Images in [−1, 1] (NHWC, row-major cells) → one PNG, light grey between cells. */
export function imageGridPng(images: Float32Array, o: GridOptions): Buffer {
  return PNG.sync.write(gridImage(images, o));
}

function gridImage(images: Float32Array, o: GridOptions): PNG {
  const gap = o.gap ?? 2;
  const scale = o.scale ?? (o.height <= 32 ? 2 : 1);
  const cellH = o.height * scale;
  const cellW = o.width * scale;
  const W = o.cols * cellW + (o.cols + 1) * gap;
  const H = o.rows * cellH + (o.rows + 1) * gap;
  const png = new PNG({ width: W, height: H });
  png.data.fill(200);
  const size = o.height * o.width * o.channels;
  const count = Math.min(o.rows * o.cols, Math.floor(images.length / size));
  for (let k = 0; k < count; k++) {
    const r = Math.floor(k / o.cols);
    const c = k % o.cols;
    const x0 = gap + c * (cellW + gap);
    const y0 = gap + r * (cellH + gap);
    for (let y = 0; y < cellH; y++) {
      for (let x = 0; x < cellW; x++) {
        const src = k * size + (Math.floor(y / scale) * o.width + Math.floor(x / scale)) * o.channels;
        const dst = ((y0 + y) * W + (x0 + x)) * 4;
        for (let ch = 0; ch < 3; ch++) {
          const v = images[src + (o.channels === 1 ? 0 : ch)];
          png.data[dst + ch] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
        }
        png.data[dst + 3] = 255;
      }
    }
  }
  return png;
}

/** What a captioned grid says: lines beside it (run, loss, step, weights) and, per row, a label (a class name). */
export interface GridCaption {
  lines: string[];
  rowLabels?: string[];
}

const CAPTION_FONT = 11;
const CAPTION_LINE = 13;
/** Roughly the width of one character of DejaVu Sans at CAPTION_FONT px, for sizing the text columns. */
const CHAR_WIDTH = 6.6;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * The grid with its caption: row labels in a column on the left, the caption's lines in a column
 * on the right; the grid's own pixels and height are unchanged (a grid is as tall as its rows).
 * Lines that do not fit the height are joined, so a one-row grid still says everything.
 */
export function captionedGridPng(images: Float32Array, o: GridOptions, caption: GridCaption): Buffer {
  const grid = gridImage(images, o);
  const gap = o.gap ?? 2;
  const labels = (caption.rowLabels ?? []).slice(0, o.rows).map((l) => clip(l, 18));
  const labelWidth = labels.length ? Math.ceil(Math.max(...labels.map((l) => l.length)) * CHAR_WIDTH) + 10 : 0;
  const fit = Math.max(1, Math.floor((grid.height - 4) / CAPTION_LINE));
  let lines = caption.lines.map((l) => clip(l, 40));
  while (lines.length > fit && lines.length > 1) lines = [...lines.slice(0, -2), `${lines[lines.length - 2]} · ${lines[lines.length - 1]}`];
  const captionWidth = Math.ceil(Math.max(0, ...lines.map((l) => l.length)) * CHAR_WIDTH) + 16;
  const width = labelWidth + grid.width + captionWidth;
  const rowHeight = (grid.height - gap) / o.rows;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${grid.height}" font-family="DejaVu Sans, sans-serif" font-size="${CAPTION_FONT}">`,
    ...labels.map((l, r) => `<text x="${labelWidth - 6}" y="${(gap + r * rowHeight + rowHeight / 2 + CAPTION_FONT / 2 - 1).toFixed(1)}" text-anchor="end">${esc(l)}</text>`),
    ...lines.map((l, i) => `<text x="${labelWidth + grid.width + 8}" y="${CAPTION_LINE * (i + 1)}"${i === 0 ? ' font-weight="bold"' : ''}>${esc(l)}</text>`),
    '</svg>',
  ].join('');
  const text = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: 'white' }).render();
  const out = new PNG({ width, height: grid.height });
  Buffer.from(text.pixels).copy(out.data);
  for (let y = 0; y < grid.height; y++) grid.data.copy(out.data, (y * width + labelWidth) * 4, y * grid.width * 4, (y + 1) * grid.width * 4);
  return PNG.sync.write(out);
}
