/**
 * Convolution gradients expressed as ordinary forward convolutions.
 *
 * tfjs-wasm has no Conv2DBackpropFilter kernel and a slow Conv2DBackpropInput, while its forward
 * Conv2D runs on XNNPACK. For a conv with stride s, dilation d and padding (p_top, p_left),
 *   y[o] = Σ_k x[o·s + k·d − p] · W[k]                      (per spatial axis)
 * both gradients are forward convolutions:
 *   ∂W[k] = Σ_o x[o·s + k·d − p] · dy[o]  — a conv of x (channels ↔ batch swapped) with dy as the
 *            filter, stride d and dilation s;
 *   ∂x[i] = Σ_k dz[i + p − k·d] · W[k]    — dz = dy with s − 1 zeros inserted between rows/columns,
 *            padded, and convolved (stride 1, dilation d) with W flipped in space and in/out swapped.
 * Because these are tfjs ops on the tape, their own gradients come from this same rule, so
 * double backprop (WGAN-GP, DRAGAN, R1 on conv critics) needs nothing else. tfjs allows stride > 1
 * or dilation > 1 but not both, and the rule maps one case onto the other, so every level of
 * differentiation stays inside that contract.
 *
 * `deconv2d` (a transposed convolution, the generator's upsampling layer) is the ∂x rule run
 * forward, so it needs no Conv2DBackpropInput kernel either.
 */
import { tf } from './tfjs.js';
import type { GradConfig, NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { activationBackward, applyActivation } from './activation.js';
import { kernelRoutes } from './native/state.js';
import type { FusedActivation } from './activation.js';

type Pair = [number, number];
type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor. */
function padOrCrop(x: Tensor4D, top: number, bottom: number, left: number, right: number): Tensor4D {
  let out = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = out.shape;
    const t = Math.max(0, -top);
    const l = Math.max(0, -left);
    out = tf.slice(out, [0, t, l, 0], [n, h - t - Math.max(0, -bottom), w - l - Math.max(0, -right), c]);
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    out = tf.pad(out, [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]]);
  }
  return out;
}

/**
 * Inserts s − 1 zeros between consecutive rows and columns (no trailing zeros). Done with 4-D
 * reshapes and pads only: tfjs-wasm's Slice (the pad's gradient, met under double backprop) is
 * very slow above rank 4.
 */
function dilateSpatial(x: Tensor4D, [sh, sw]: Pair): Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  let out: Tensor4D = x;
  if (sh > 1) {
    const rows = tf.pad(tf.reshape(out, [n, h, 1, w * c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0]]);
    out = tf.reshape(rows, [n, h * sh, w, c]);
  }
  if (sw > 1) {
    const cols = tf.pad(tf.reshape(out, [n * h * sh, w, 1, c]), [[0, 0], [0, 0], [0, sw - 1], [0, 0]]);
    out = tf.reshape(cols, [n, h * sh, w * sw, c]);
  }
  return tf.slice(out, [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]);
}

interface Geometry {
  stride: Pair;
  dilation: Pair;
  padTop: number;
  padLeft: number;
}

function geometry(xShape: number[], filterShape: number[], strides: number | number[], pad: Pad, dilations: number | number[], dimRoundingMode?: 'floor' | 'round' | 'ceil'): Geometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides as [number, number],
    dilations as [number, number],
    pad as 'same',
    dimRoundingMode,
  );
  return {
    stride: [info.strideHeight, info.strideWidth],
    dilation: [info.dilationHeight, info.dilationWidth],
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * ∂L/∂x of y = conv2d(x, W): a stride-1 convolution of the zero-dilated dy with W flipped — or,
 * when the stride divides the input size, the same sum done phase by phase (`subPixelDeconv`).
 */
export function conv2dInputGradient(dy: Tensor4D, filter: Tensor4D, xShape: number[], g: Geometry): Tensor4D {
  const [kh, kw] = filter.shape;
  const [, outH, outW] = dy.shape;
  const [, h, w] = xShape;
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const native = nativeInputGradient(dy, filter, xShape, g);
  if (native) return native;
  // Strided with sizes that are multiples of the stride: the sub-pixel form skips the s² − 1 of
  // every s² products that would multiply inserted zeros.
  if ((sh > 1 || sw > 1) && h % sh === 0 && w % sw === 0) return subPixelDeconv(dy, filter, xShape, g);
  const dz = dilateSpatial(dy, g.stride);
  const top = (kh - 1) * dh - g.padTop;
  const left = (kw - 1) * dw - g.padLeft;
  const bottom = h + g.padTop - (outH - 1) * sh - 1;
  const right = w + g.padLeft - (outW - 1) * sw - 1;
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) {
    return tf.conv2d(dz, flipped, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC', [dh, dw]);
  }
  return tf.conv2d(padOrCrop(dz, top, bottom, left, right), flipped, 1, 'valid', 'NHWC', [dh, dw]);
}

/**
 * The backend's own input-gradient kernel (native: one product dy·Wᵀ and col2im; webgpu: its
 * shader), whose gradient is registered below; null where it does not apply.
 */
function nativeInputGradient(dy: Tensor4D, filter: Tensor4D, xShape: number[], g: Geometry): Tensor4D | null {
  if (!nativeConv(g)) return null;
  const [kh, kw] = filter.shape;
  const [, outH, outW] = dy.shape;
  const [, h, w] = xShape;
  const bottom = (outH - 1) * g.stride[0] + (kh - 1) * g.dilation[0] + 1 - h - g.padTop;
  const right = (outW - 1) * g.stride[1] + (kw - 1) * g.dilation[1] + 1 - w - g.padLeft;
  if (bottom < 0 || right < 0) return null;
  const attrs = { strides: [...g.stride], pad: [[0, 0], [g.padTop, bottom], [g.padLeft, right], [0, 0]], dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: xShape };
  return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as unknown as NamedAttrMap) as Tensor4D;
}

/** Whether a gradient convolution goes to the backend's kernels (wasm + BLAS, or webgpu; dilation 1, padding ≥ 0). */
function nativeConv(g: Geometry): boolean {
  return kernelRoutes() && g.dilation[0] === 1 && g.dilation[1] === 1 && g.padTop >= 0 && g.padLeft >= 0;
}

/** Tuning of the convolution gradients (exported so the tests can exercise both routes). */
export const convTuning = {
  /** Filter gradients with KH·KW·Cin up to this use the patch route (see conv2dFilterGradient). */
  patchFilterGradientMax: 64,
};

/**
 * ∂L/∂W of y = conv2d(x, W): x with batch and channels swapped, convolved with dy as the filter —
 * or, when a patch KH·KW·Cin is small (a network's first layer, a generator's last), as
 * patchesᵀ · dy: the patches come from a convolution of x with an identity filter, and one product
 * replaces a convolution with a huge dilated kernel and a 4×4 output, which XNNPACK runs slowly
 * (7 ms → ~1 ms for the Lucic D's first layer).
 */
export function conv2dFilterGradient(x: Tensor4D, dy: Tensor4D, filterShape: number[], g: Geometry): Tensor4D {
  const [kh, kw, cin, cout] = filterShape;
  const [n, outH, outW] = dy.shape;
  const [, h, w] = x.shape;
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const bottom = (kh - 1) * dh + (outH - 1) * sh + 1 - h - g.padTop;
  const right = (kw - 1) * dw + (outW - 1) * sw + 1 - w - g.padLeft;
  const k = kh * kw * cin;
  if (nativeConv(g) && bottom >= 0 && right >= 0) {
    // The native kernel: im2col and one product colsᵀ·dy (its gradient is registered below).
    const pad: tf.backend_util.ExplicitPadding = [[0, 0], [g.padTop, bottom], [g.padLeft, right], [0, 0]];
    const attrs = { strides: [sh, sw], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape };
    return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as NamedAttrMap) as Tensor4D;
  }
  if (k <= convTuning.patchFilterGradientMax) {
    const eye = tf.reshape(tf.eye(k), [kh, kw, cin, k]) as Tensor4D;
    const patches = tf.conv2d(padOrCrop(x, g.padTop, bottom, g.padLeft, right), eye, [sh, sw], 'valid', 'NHWC', [dh, dw]);
    const rows = n * outH * outW;
    const product = tf.matMul(tf.transpose(tf.reshape(patches, [rows, k])), tf.reshape(dy, [rows, cout]));
    return tf.reshape(product, [kh, kw, cin, cout]) as Tensor4D;
  }
  const xt = tf.transpose(x, [3, 1, 2, 0]) as Tensor4D; // [Cin, H, W, N]
  const dyt = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D; // [OH, OW, N, Cout]
  let out: Tensor4D;
  if (g.padTop >= 0 && bottom >= 0 && g.padLeft >= 0 && right >= 0) {
    out = tf.conv2d(xt, dyt, [dh, dw], [[0, 0], [g.padTop, bottom], [g.padLeft, right], [0, 0]], 'NHWC', [sh, sw]);
  } else {
    out = tf.conv2d(padOrCrop(xt, g.padTop, bottom, g.padLeft, right), dyt, [dh, dw], 'valid', 'NHWC', [sh, sw]);
  }
  return tf.transpose(out, [1, 2, 0, 3]) as Tensor4D; // [KH, KW, Cin, Cout]
}

/**
 * One output phase of a stride-s transposed convolution (1-D view, per axis): the outputs i with
 * (i + p) mod s = r only see the taps k = r + m·s, so y_r[q] = Σ_m x[q − m]·W[r + m·s] — a stride-1
 * convolution of x with that sub-kernel flipped. `start` is the q of the first output wanted.
 */
interface Phase {
  taps: number[];
  padBefore: number;
  padAfter: number;
}
function phase(r: number, s: number, k: number, p: number, inSize: number, outSteps: number, u: number): Phase {
  const taps: number[] = [];
  for (let t = r; t < k; t += s) taps.unshift(t); // flipped: last tap first
  const start = (p + u - r) / s;
  const before = taps.length - 1 - start;
  return { taps, padBefore: before, padAfter: outSteps + taps.length - 1 - (inSize + before) };
}

/** Transposed convolution by sub-pixel decomposition: s² small stride-1 convolutions, interleaved. */
function subPixelDeconv(x: Tensor4D, filter: Tensor4D, outputShape: number[], g: Geometry): Tensor4D {
  const [n, h, w] = x.shape;
  const [, outH, outW, outC] = outputShape;
  const [kh, kw] = filter.shape;
  const [sh, sw] = g.stride;
  const th = outH / sh;
  const tw = outW / sw;
  // The conv kernel for "input grad" uses W with in/out swapped: [kh, kw, inC(x), outC].
  const wt = tf.transpose(filter, [0, 1, 3, 2]) as Tensor4D;
  const rows: Tensor4D[] = [];
  for (let uh = 0; uh < sh; uh++) {
    const cols: Tensor4D[] = [];
    const rh = (((uh + g.padTop) % sh) + sh) % sh;
    const ph = phase(rh, sh, kh, g.padTop, h, th, uh);
    for (let uw = 0; uw < sw; uw++) {
      const rw = (((uw + g.padLeft) % sw) + sw) % sw;
      const pw = phase(rw, sw, kw, g.padLeft, w, tw, uw);
      let y: Tensor4D;
      if (ph.taps.length === 0 || pw.taps.length === 0) {
        y = tf.zeros([n, th, tw, outC]);
      } else {
        const sub = tf.gather(tf.gather(wt, ph.taps, 0), pw.taps, 1) as Tensor4D;
        if (ph.padBefore >= 0 && ph.padAfter >= 0 && pw.padBefore >= 0 && pw.padAfter >= 0) {
          y = tf.conv2d(x, sub, 1, [[0, 0], [ph.padBefore, ph.padAfter], [pw.padBefore, pw.padAfter], [0, 0]]);
        } else {
          y = tf.conv2d(padOrCrop(x, ph.padBefore, ph.padAfter, pw.padBefore, pw.padAfter), sub, 1, 'valid');
        }
      }
      cols.push(y);
    }
    // Phase uw of output row block uh goes to columns q·sw + uw: concatenating the phases' channels
    // and reading [tw, sw, C] as [tw·sw, C] interleaves them. Concat and reshape only (rank ≤ 4):
    // stack's gradient, Unpack, is a rank-6 slice on wasm and dominated a WGAN-GP step.
    rows.push(tf.reshape(cols.length === 1 ? cols[0] : tf.concat(cols, 3), [n, th, tw * sw * outC]) as unknown as Tensor4D);
  }
  // Likewise row phases: [th, sh, (tw·sw·C)] read as [th·sh, tw·sw, C].
  const interleaved = rows.length === 1 ? rows[0] : tf.concat(rows, 2);
  return tf.reshape(interleaved, [n, outH, outW, outC]);
}

/**
 * Transposed convolution, same contract as tf.conv2dTranspose: `filter` is [KH, KW, outC, inC],
 * `outputShape` the [N, H, W, outC] of the convolution it transposes.
 *
 * Forward: s² sub-pixel convolutions when the output size is a multiple of the stride (no
 * multiplications by inserted zeros), else the zero-insertion rule. Backward (a custom gradient,
 * itself made of differentiable ops, so second order works): ∂x = conv2d(dy, W) with the same
 * stride and padding, ∂W = the filter-gradient rule with x and dy swapped.
 */
export function deconv2d(x: Tensor4D, filter: Tensor4D, outputShape: [number, number, number, number], strides: number | Pair, pad: Pad): Tensor4D {
  const g = geometry(outputShape, filter.shape, strides, pad, 1);
  const expected = tf.backend_util.computeConv2DInfo(outputShape, filter.shape as [number, number, number, number], strides, 1, pad as 'same');
  if (expected.outHeight !== x.shape[1] || expected.outWidth !== x.shape[2] || filter.shape[3] !== x.shape[3] || filter.shape[2] !== outputShape[3]) {
    throw new Error(
      `deconv2d: input ${x.shape.join('×')} and filter ${filter.shape.join('×')} do not fit output ${outputShape.join('×')} ` +
        `(a conv of the output would give ${expected.outHeight}×${expected.outWidth}×${filter.shape[3]})`,
    );
  }
  // Native: the Conv2DBackpropInput kernel itself, whose registered gradient is the rule below
  // (same kernels, same padding: the same bits) — without customGrad's scope and saved clones.
  const native = nativeInputGradient(x, filter, outputShape, g);
  if (native) return native;
  const op = tf.customGrad(((input: Tensor, kernel: Tensor, save: (t: Tensor[]) => void) => {
    save([input, kernel]);
    // The input-gradient rule, which takes the sub-pixel route itself when the stride divides the output.
    const value = conv2dInputGradient(input as Tensor4D, kernel as Tensor4D, outputShape, g);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, ws] = saved as [Tensor4D, Tensor4D];
        const d = dy as Tensor4D;
        return [
          tf.conv2d(d, ws, strides, pad as 'same'),
          conv2dFilterGradient(d, xs, ws.shape, g),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, filter) as Tensor4D;
}

let stockConv2DGradient: GradConfig | undefined;

/** Conv2D's gradient by the rules above (NHWC, any stride/dilation tfjs accepts); others go to the stock rule. */
export const conv2dGradient: GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as {
      strides: number | Pair;
      pad: Pad;
      dataFormat: string;
      dilations: number | Pair;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    if (dataFormat !== 'NHWC' && stockConv2DGradient) return stockConv2DGradient.gradFunc(dy, saved, attrs);
    const g = geometry(x.shape, filter.shape, strides, pad, dilations ?? 1, dimRoundingMode);
    const grad = dy as Tensor4D;
    return {
      x: () => conv2dInputGradient(grad, filter, x.shape, g),
      filter: () => conv2dFilterGradient(x, grad, filter.shape, g),
    };
  },
};

/** Activations fused into a convolution (see fusedConv2d). */
export type ConvActivation = FusedActivation;

/**
 * act(conv2d(x, W) + b) as one kernel (the backend's FusedConv2D: XNNPACK on wasm), NHWC, with the
 * gradient below registered for it — tf.fused.conv2d's own is a first-order customGrad. Backends
 * without the kernel get the same maths as ops.
 */
export function fusedConv2d(x: Tensor4D, filter: Tensor4D, bias: tf.Tensor1D, strides: number | Pair, pad: 'same' | 'valid', activation: ConvActivation = 'linear', leakyreluAlpha = 0.2): Tensor4D {
  if (!tf.getKernel('FusedConv2D', tf.getBackend())) {
    return tf.tidy(() => applyActivation(tf.add(tf.conv2d(x, filter, strides, pad), bias) as Tensor4D, activation, leakyreluAlpha));
  }
  const attrs = { strides, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined, activation, leakyreluAlpha };
  return tf.engine().runKernel('FusedConv2D', { x, filter, bias }, attrs as unknown as NamedAttrMap) as Tensor4D;
}

/**
 * FusedConv2D's gradient: dz = dy ⊙ act'(z), read from the sign of the saved output (y > 0 ⇔ z > 0
 * for relu and leaky relu; constant in dy), then Conv2D's rules above and db = Σ dz over N, H, W.
 * Made of differentiable ops only, so second order works.
 */
export const fusedConv2dGradient: GradConfig = {
  kernelName: 'FusedConv2D',
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, filter, y] = saved as [Tensor4D, Tensor4D, Tensor4D];
    const { strides, pad, dataFormat, dilations, dimRoundingMode, activation, leakyreluAlpha } = attrs as unknown as {
      strides: number | Pair;
      pad: Pad;
      dataFormat: string;
      dilations: number | Pair;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      activation: string;
      leakyreluAlpha?: number;
    };
    if (dataFormat !== 'NHWC') throw new Error('gankit: FusedConv2D gradient supports NHWC only');
    const dz = activationBackward((Array.isArray(dy) ? dy[0] : dy) as Tensor4D, y, activation, leakyreluAlpha, 'FusedConv2D');
    const geo = geometry(x.shape, filter.shape, strides, pad, dilations ?? 1, dimRoundingMode);
    return {
      x: () => conv2dInputGradient(dz, filter, x.shape, geo),
      filter: () => conv2dFilterGradient(x, dz, filter.shape, geo),
      bias: () => tf.sum(dz, [0, 1, 2]), // bias is [Cout]
    };
  },
};

/**
 * Conv2DBackpropFilter's gradient: dW = Σ x·dy is bilinear, ⟨dW, ddW⟩ = ⟨conv2d(x, ddW), dy⟩, so
 * ∂/∂dy = conv2d(x, ddW) and ∂/∂x = that convolution's input gradient applied to dy — both by the
 * rules above (any explicit padding; made of differentiable ops, so every order works).
 */
export const conv2dBackpropFilterGradient: GradConfig = {
  kernelName: 'Conv2DBackpropFilter',
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, dy] = saved as [Tensor4D, Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as { strides: number | Pair; pad: Pad; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: number[] };
    if (dataFormat === 'NCHW') throw new Error('gankit: second-order conv gradients support NHWC only');
    const w = (Array.isArray(ddw) ? ddw[0] : ddw) as Tensor4D;
    const g = geometry(x.shape, filterShape, strides, pad, 1, dimRoundingMode);
    return {
      x: () => conv2dInputGradient(dy, w, x.shape, g),
      dy: () => tf.conv2d(x, w, strides, pad as 'same', 'NHWC', 1, dimRoundingMode),
    };
  },
};

/**
 * Conv2DBackpropInput's gradient (the native input-gradient route): dx = Σ dy·W is bilinear, so
 * ∂/∂dy = conv2d(ddx, W) and ∂/∂W = the filter gradient of that convolution, x = ddx — tfjs kernels
 * with registered gradients of their own, explicit padding passed through.
 */
export const conv2dBackpropInputGradient: GradConfig = {
  kernelName: 'Conv2DBackpropInput',
  inputsToSave: ['dy', 'filter'],
  gradFunc: (ddx: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [dy, filter] = saved as [Tensor4D, Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as { strides: number | Pair; pad: Pad; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    if (dataFormat === 'NCHW') throw new Error('gankit: second-order conv gradients support NHWC only');
    const d = (Array.isArray(ddx) ? ddx[0] : ddx) as Tensor4D;
    return {
      dy: () => tf.conv2d(d, filter, strides, pad as 'same', 'NHWC', 1, dimRoundingMode),
      filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x: d, dy }, { strides, pad, dataFormat: 'NHWC', dimRoundingMode, filterShape: filter.shape } as unknown as NamedAttrMap) as Tensor4D,
    };
  },
};

export function registerConvGradients(): void {
  stockConv2DGradient ??= tf.getGradient('Conv2D');
  tf.registerGradient(conv2dGradient);
  tf.registerGradient(fusedConv2dGradient);
  tf.registerGradient(conv2dBackpropFilterGradient);
  tf.registerGradient(conv2dBackpropInputGradient);
}
