/**
 * im2col for NHWC convolutions, in place on one Float32Array (the wasm heap): the patch matrix
 *   cols[r, (kh·KW + kw)·Cin + ci] = x[n, oh·s_h + kh·d_h − top, ow·s_w + kw·d_w − left, ci]   (0 outside x)
 * with r = (n·OH + oh)·OW + ow, so that a convolution is cols · W (W [KH·KW·Cin, Cout] as tfjs
 * stores it) and its filter gradient colsᵀ · dy. Channels-last makes each (row, kh) a run of KW·Cin
 * consecutive floats when the dilation is 1 (Cin floats otherwise): runs are moved with
 * `copyWithin` (a memmove) when long, element by element when short (a first layer with Cin = 1).
 */

export interface PatchGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** Below this many floats a run is copied by a loop (a copyWithin call costs more). */
const SHORT_RUN = 24;

/** True when cols is x itself: a 1×1 filter, stride 1, no padding. */
export function isPointwise(g: PatchGeometry): boolean {
  return g.filterHeight === 1 && g.filterWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 && g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight && g.outWidth === g.inWidth;
}

/** Whether some patch reaches outside x (then cols needs zeros where it does). */
function reachesOutside(g: PatchGeometry): boolean {
  const lastRow = (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight - g.padTop;
  const lastCol = (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth - g.padLeft;
  return g.padTop > 0 || g.padLeft > 0 || lastRow >= g.inHeight || lastCol >= g.inWidth;
}

/** The SIMD module's im2col / col2im (kernels/simd.wat), when it runs on this heap. */
export interface PatchKernel {
  patches(mode: number, x: number, cols: number, n: number, h: number, w: number, c: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number): void;
}

function runPatches(simd: PatchKernel, mode: number, xAt: number, colsAt: number, g: PatchGeometry): void {
  simd.patches(mode, xAt * 4, colsAt * 4, g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft);
}

/** Writes the patch matrix of x (at element offset `xAt` of `heap`) to offset `colsAt` — in the SIMD module when given. */
export function im2col(heap: Float32Array, xAt: number, colsAt: number, g: PatchGeometry, simd: PatchKernel | null = null): void {
  const { batch, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padTop: top, padLeft: left } = g;
  const K = KH * KW * C;
  // The SIMD module writes the zeros where a patch leaves x itself.
  if (simd) return runPatches(simd, 0, xAt, colsAt, g);
  if (reachesOutside(g)) heap.fill(0, colsAt, colsAt + batch * OH * OW * K);
  const copy = (src: number, dst: number, len: number) => {
    if (len >= SHORT_RUN) heap.copyWithin(dst, src, src + len);
    else for (let i = 0; i < len; i++) heap[dst + i] = heap[src + i];
  };
  let row = colsAt;
  for (let n = 0; n < batch; n++) {
    const image = xAt + n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, row += K) {
        const iw0 = ow * sw - left;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh + kh * dh - top;
          if (ih < 0 || ih >= H) continue;
          const line = image + ih * W * C;
          const dst = row + kh * KW * C;
          if (dw === 1) {
            const from = Math.max(0, -iw0);
            const to = Math.min(KW, W - iw0);
            if (to > from) copy(line + (iw0 + from) * C, dst + from * C, (to - from) * C);
          } else {
            for (let kw = 0; kw < KW; kw++) {
              const iw = iw0 + kw * dw;
              if (iw >= 0 && iw < W) copy(line + iw * C, dst + kw * C, C);
            }
          }
        }
      }
    }
  }
}

/**
 * For each input index along one axis, the patch-matrix offsets of the (output index, tap) pairs
 * that cover it, as a CSR list: offsets[start[i] .. start[i + 1]) with offset = o·outStep + k·tapStep.
 */
function coverage(inSize: number, outSize: number, taps: number, stride: number, dilation: number, pad: number, outStep: number, tapStep: number): { start: Int32Array; offsets: Int32Array } {
  const lists: number[][] = Array.from({ length: inSize }, () => []);
  for (let o = 0; o < outSize; o++) {
    for (let k = 0; k < taps; k++) {
      const i = o * stride + k * dilation - pad;
      if (i >= 0 && i < inSize) lists[i].push(o * outStep + k * tapStep);
    }
  }
  const start = new Int32Array(inSize + 1);
  lists.forEach((l, i) => (start[i + 1] = start[i] + l.length));
  return { start, offsets: Int32Array.from(lists.flat()) };
}

/**
 * col2im, the transpose of im2col: every x position gets the sum of the patch entries that came
 * from it,
 *   dx[n, ih, iw, ci] = Σ_{oh·s_h + kh·d_h − top = ih, ow·s_w + kw·d_w − left = iw} cols[(n·OH + oh)·OW + ow, (kh·KW + kw)·Cin + ci]
 * — the input gradient of a convolution (and a transposed convolution run forward) once
 * cols = dy · Wᵀ. Written as a gather (each dx run written once, from its 2×2 contributions for a
 * 4×4 stride-2 filter) rather than a scatter: half the memory traffic in JavaScript. With `simd`
 * the module scatters instead (its adds are 128-bit, its loops cost nothing). dx (at `dxAt`) is
 * overwritten.
 */
export function col2im(heap: Float32Array, colsAt: number, dxAt: number, g: PatchGeometry, simd: PatchKernel | null = null): void {
  const { batch, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = g;
  if (simd) {
    // In the SIMD module as a scatter (x += each patch row put back): sequential over cols.
    heap.fill(0, dxAt, dxAt + batch * H * W * C);
    return runPatches(simd, 1, dxAt, colsAt, g);
  }
  const K = KH * KW * C;
  const rows = coverage(H, OH, KH, g.strideHeight, g.dilationHeight, g.padTop, OW * K, KW * C);
  const cols = coverage(W, OW, KW, g.strideWidth, g.dilationWidth, g.padLeft, K, C);
  let dst = dxAt;
  for (let n = 0; n < batch; n++) {
    const image = colsAt + n * OH * OW * K;
    for (let ih = 0; ih < H; ih++) {
      const r0 = rows.start[ih];
      const r1 = rows.start[ih + 1];
      for (let iw = 0; iw < W; iw++, dst += C) {
        const c0 = cols.start[iw];
        const c1 = cols.start[iw + 1];
        if (r0 === r1 || c0 === c1) {
          heap.fill(0, dst, dst + C);
          continue;
        }
        if (C === 1) {
          let sum = 0;
          for (let r = r0; r < r1; r++) {
            const base = image + rows.offsets[r];
            for (let c = c0; c < c1; c++) sum += heap[base + cols.offsets[c]];
          }
          heap[dst] = sum; // float64 sum of float32 values, rounded once
          continue;
        }
        let first = true;
        for (let r = r0; r < r1; r++) {
          const base = image + rows.offsets[r];
          for (let c = c0; c < c1; c++) {
            const src = base + cols.offsets[c];
            if (first) {
              if (C >= 24) heap.copyWithin(dst, src, src + C);
              else for (let i = 0; i < C; i++) heap[dst + i] = heap[src + i];
              first = false;
            } else {
              for (let i = 0; i < C; i++) heap[dst + i] += heap[src + i];
            }
          }
        }
      }
    }
  }
}
