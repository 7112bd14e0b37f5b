/** Image grids as PNG (pngjs): samples, class-by-row grids, InfoGAN latent traversals. */
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
  return PNG.sync.write(png);
}
