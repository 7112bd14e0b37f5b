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

/** Floats in the patch matrix. */
export function colsSize(g: PatchGeometry): number {
  return g.batch * g.outHeight * g.outWidth * g.filterHeight * g.filterWidth * g.inChannels;
}

/** Whether some patch reaches outside x (then cols needs zeros where it does). */
function reachesOutside(g: PatchGeometry): boolean {
  const lastRow = (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight - g.padTop;
  const lastCol = (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth - g.padLeft;
  return g.padTop > 0 || g.padLeft > 0 || lastRow >= g.inHeight || lastCol >= g.inWidth;
}

/** Writes the patch matrix of x (at element offset `xAt` of `heap`) to offset `colsAt`. */
export function im2col(heap: Float32Array, xAt: number, colsAt: number, g: PatchGeometry): void {
  const { batch, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padTop: top, padLeft: left } = g;
  const K = KH * KW * C;
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
