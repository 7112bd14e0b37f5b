/**
 * The live curves: one chart per metric column, the sessions (and a replayed CLI run) as coloured
 * series. Each chart has its human name, a legend above the plot (never over the lines), 3–5 ticks
 * on each axis with the axis labels, and — before the first logged step — "press run" instead of
 * an invented range.
 */
import type { ChartColumn } from '../../src/playground/charts.js';

export const SESSION_COLOURS = ['#1f77b4', '#d62728', '#777777'];

export interface ChartSeries {
  name: string;
  xs: number[];
  ys: number[];
}

/** The chart's size in CSS pixels (the canvas holds devicePixelRatio times as many). */
export const CHART_SIZE = { width: 300, height: 190 } as const;

/** 3–5 round ticks covering [lo, hi]: steps of 1, 2, 2.5 or 5 × 10ⁿ; the domain widens to the outer ticks. */
export function niceTicks(lo: number, hi: number): number[] {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  let best: number[] = [];
  for (const target of [4, 5, 3]) {
    const raw = (hi - lo) / (target - 1);
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
    const first = Math.floor(lo / step + 1e-9) * step;
    const ticks: number[] = [];
    for (let v = first; v < hi + step - 1e-9 * step; v += step) ticks.push(+v.toPrecision(12));
    if (ticks.length >= 3 && ticks.length <= 5) return ticks;
    if (!best.length || Math.abs(ticks.length - 4) < Math.abs(best.length - 4)) best = ticks;
  }
  return best;
}

const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(0) : String(+v.toPrecision(3)));

export function drawChart(canvas: HTMLCanvasElement, column: ChartColumn, series: ChartSeries[]): void {
  const { width: W, height: H } = CHART_SIZE;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== W * dpr || canvas.height !== H * dpr) [canvas.width, canvas.height] = [W * dpr, H * dpr];
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = '#222';
  ctx.font = 'bold 12px system-ui, sans-serif';
  const title = column.label + (column.better ? ` (${column.better === 'higher' ? '↑' : '↓'} better)` : '');
  ctx.fillText(fit(ctx, title, W - 12), 6, 14);
  // The legend: a row above the plot.
  ctx.font = '10px system-ui, sans-serif';
  let lx = 6;
  series.forEach((s, k) => {
    const label = fit(ctx, s.name, 110);
    ctx.fillStyle = SESSION_COLOURS[k % SESSION_COLOURS.length];
    ctx.fillRect(lx, 21, 12, 3);
    ctx.fillStyle = '#444';
    ctx.fillText(label, lx + 15, 27);
    lx += 15 + ctx.measureText(label).width + 10;
  });
  const [L, T, R, B] = [46, 36, 10, 30];
  const pts = series.flatMap((s) => s.xs.map((x, i) => [x, s.ys[i]] as const)).filter(([, y]) => Number.isFinite(y));
  ctx.strokeStyle = '#bbb';
  ctx.strokeRect(L + 0.5, T + 0.5, W - L - R, H - T - B);
  canvas.dataset.empty = String(!pts.length);
  if (!pts.length) {
    ctx.fillStyle = '#888';
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText('press run', L + (W - L - R) / 2, T + (H - T - B) / 2 + 4);
    ctx.textAlign = 'left';
    return;
  }
  const xt = niceTicks(Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0])));
  const yt = niceTicks(Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1])));
  const [x0, x1, y0, y1] = [xt[0], xt[xt.length - 1], yt[0], yt[yt.length - 1]];
  const X = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const Y = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = '#555';
  ctx.strokeStyle = '#eee';
  ctx.textAlign = 'right';
  for (const v of yt) {
    ctx.beginPath();
    ctx.moveTo(L, Y(v));
    ctx.lineTo(W - R, Y(v));
    ctx.stroke();
    ctx.fillText(fmt(v), L - 4, Y(v) + 3);
  }
  ctx.textAlign = 'center';
  for (const v of xt) ctx.fillText(fmt(v), X(v), H - B + 12);
  ctx.fillText('generator step', L + (W - L - R) / 2, H - 4);
  ctx.save();
  ctx.translate(10, T + (H - T - B) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(fit(ctx, column.unit, H - T - B), 0, 0);
  ctx.restore();
  ctx.textAlign = 'left';
  series.forEach((s, k) => {
    const colour = SESSION_COLOURS[k % SESSION_COLOURS.length];
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    s.xs.forEach((x, i) => {
      const y = s.ys[i];
      if (!Number.isFinite(y)) return void (pen = false);
      if (pen) ctx.lineTo(X(x), Y(y));
      else ctx.moveTo(X(x), Y(y));
      pen = true;
    });
    ctx.stroke();
    // A lone value (one logged step) as a dot.
    const finite = s.ys.filter(Number.isFinite).length;
    if (finite === 1) {
      const i = s.ys.findIndex(Number.isFinite);
      ctx.beginPath();
      ctx.arc(X(s.xs[i]), Y(s.ys[i]), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  });
  ctx.lineWidth = 1;
}

/** The text cut to a width, with an ellipsis. */
function fit(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > width) t = t.slice(0, -1);
  return `${t}…`;
}
