/**
 * The main 2-D view: D's field (or ‖∇ₓD‖) as a heatmap, real and generated points, G's update
 * arrows, the noise warp; and its key (what the colours and marks mean, the field's range).
 */
import type { Picture } from '../../src/playground/session.js';

/** The marks' colours, shared by the picture and its key. */
export const REAL_COLOUR = 'rgba(20,140,40,0.75)';
export const FAKE_COLOUR = 'rgba(110,40,170,0.85)';
export const ARROW_COLOUR = 'rgba(80,40,120,0.5)';

const CODE_COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#46f0f0', '#f032e6', '#bcf60c', '#008080', '#9a6324'];

/** Blue (low) → white → red (high), as GAN Lab's field. */
export function heat(t: number): [number, number, number] {
  const u = Math.max(0, Math.min(1, t));
  return u < 0.5 ? [Math.round(90 + 330 * u), Math.round(140 + 230 * u), 255] : [255, Math.round(255 - 230 * (u - 0.5)), Math.round(255 - 330 * (u - 0.5))];
}

export interface DrawOptions {
  warp: boolean;
  gradNorm: boolean;
}

/** What the field's colours mean: the measure and its range (the key's colour bar). */
export interface FieldScale {
  label: string;
  lo: number;
  hi: number;
}

export function fieldScale(p: Picture, o: DrawOptions): FieldScale {
  const values = o.gradNorm && p.gradNorm ? p.gradNorm : p.field;
  if (p.fieldIsProbability && values === p.field) return { label: 'σ(D(x)): P(real)', lo: 0, hi: 1 };
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return { label: values === p.gradNorm ? '‖∇ₓD‖' : 'D(x): the critic\'s score', lo, hi };
}

export function drawPicture(canvas: HTMLCanvasElement, p: Picture, o: DrawOptions): FieldScale {
  const ctx = canvas.getContext('2d')!;
  const { width: W, height: H } = canvas;
  const { view, grid } = p;
  const X = (x: number) => ((x - view.xMin) / (view.xMax - view.xMin)) * W;
  const Y = (y: number) => ((view.yMax - y) / (view.yMax - view.yMin)) * H;
  const values = o.gradNorm && p.gradNorm ? p.gradNorm : p.field;
  const key = fieldScale(p, o);
  const { lo, hi } = key;
  const span = hi - lo || 1;
  const img = ctx.createImageData(grid, grid);
  for (let i = 0; i < grid * grid; i++) {
    const [r, g, b] = heat((values[i] - lo) / span);
    img.data.set([r, g, b, 255], 4 * i);
  }
  const off = document.createElement('canvas');
  [off.width, off.height] = [grid, grid];
  off.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, W, H);
  if (o.warp) {
    ctx.strokeStyle = 'rgba(60,60,60,0.45)';
    ctx.lineWidth = 1;
    for (const line of p.warp) {
      ctx.beginPath();
      for (let i = 0; i < line.length; i += 2) (i ? ctx.lineTo : ctx.moveTo).call(ctx, X(line[i]), Y(line[i + 1]));
      ctx.stroke();
    }
  }
  ctx.fillStyle = REAL_COLOUR;
  for (let i = 0; i < p.real.length; i += 2) ctx.fillRect(X(p.real[i]) - 1.5, Y(p.real[i + 1]) - 1.5, 3, 3);
  // Arrows: the generator's update direction, scaled to the largest.
  let maxPush = 0;
  for (let i = 0; i < p.push.length; i += 2) maxPush = Math.max(maxPush, Math.hypot(p.push[i], p.push[i + 1]));
  const scale = maxPush > 0 ? (0.06 * (view.xMax - view.xMin)) / maxPush : 0;
  ctx.strokeStyle = ARROW_COLOUR;
  for (let i = 0; i < p.fake.length; i += 2) {
    ctx.beginPath();
    ctx.moveTo(X(p.fake[i]), Y(p.fake[i + 1]));
    ctx.lineTo(X(p.fake[i] + scale * p.push[i]), Y(p.fake[i + 1] + scale * p.push[i + 1]));
    ctx.stroke();
  }
  for (let i = 0; i < p.fake.length; i += 2) {
    ctx.fillStyle = p.codes ? CODE_COLOURS[p.codes[i / 2] % CODE_COLOURS.length] : FAKE_COLOUR;
    ctx.beginPath();
    ctx.arc(X(p.fake[i]), Y(p.fake[i + 1]), 2.2, 0, 2 * Math.PI);
    ctx.fill();
  }
  return key;
}
