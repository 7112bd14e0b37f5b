/**
 * gankit's replacement and added kernels (src/engine/kernels/) against independent references:
 * tfjs-cpu's own kernels for Transpose, GatherV2, Reverse and UnsortedSegmentSum (values moved,
 * never computed, so equality is exact), the op-by-op Adam rule for the fused update (same float32
 * bits, on both backends; on wasm as SIMD, a 70k-value parameter included), gradients through gather under a second derivative, the fused dense
 * layer's values and first/second derivatives against the unfused ops and finite differences,
 * the many-tensor sum against tf.sum, and the wasm
 * backend with two XNNPACK threads in a child process (same numbers as one thread, and the process
 * exits by itself).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tf, Rng, initEngine, dense, batchNorm, batchNormOps, movingAverage } from '../src/engine/index.js';
import { batchNormAvailable } from '../src/engine/kernels/batchNorm.js';
import { sumAll } from '../src/engine/kernels/sums.js';
import { ELU_GRAD } from '../src/engine/kernels/elu.js';
import { TANH_GRAD } from '../src/engine/kernels/tanh.js';
import { collapsePermutation, blockedRoute } from '../src/engine/kernels/transpose.js';
import { mergeReductionAxes } from '../src/engine/kernels/reductions.js';
import { columnRoute } from '../src/engine/kernels/webgpuReduce.js';
import { fusedAdam, fusedAdamAvailable, fusedAdamSimd } from '../src/engine/kernels/adam.js';
import { Optimizer } from '../src/engine/optimizers.js';
import { stockCpuResizeNearestNeighborGrad } from '../src/engine/kernels/resizeGrad.js';
import { assertClose, centralDifference, useBackend } from './helpers/numeric.js';

/** Runs f on the cpu backend (the reference) and on wasm; returns both results as arrays. */
async function onBoth(f: () => tf.Tensor): Promise<{ cpu: Float32Array | Int32Array; wasm: Float32Array | Int32Array; shapes: [number[], number[]] }> {
  await useBackend('cpu');
  const c = f();
  const cpu = c.dataSync() as Float32Array;
  const cShape = c.shape;
  c.dispose();
  await useBackend('wasm');
  const w = f();
  const wasm = w.dataSync() as Float32Array;
  const wShape = w.shape;
  w.dispose();
  return { cpu, wasm, shapes: [cShape, wShape] };
}

function assertSame(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}[${i}]: ${a[i]} ≠ ${b[i]}`);
}

const values = (shape: number[], seed: number) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Rng(seed).uniformArray(n, -1, 1);
};

describe('wasm kernels: Transpose', () => {
  before(() => initEngine({ backend: 'wasm' }));

  it('merges axes that stay neighbours and drops size-1 axes', () => {
    assert.deepEqual(collapsePermutation([64, 14, 14, 32], [3, 1, 2, 0]), { shape: [64, 196, 32], perm: [2, 1, 0] });
    assert.deepEqual(collapsePermutation([4, 5, 6], [1, 2, 0]), { shape: [4, 30], perm: [1, 0] });
    assert.deepEqual(collapsePermutation([2, 1, 3], [2, 1, 0]), { shape: [2, 3], perm: [1, 0] });
    assert.deepEqual(collapsePermutation([3, 4], [0, 1]), { shape: [12], perm: [0] });
    assert.equal(blockedRoute([1024, 6272], [1, 0])?.join(), '1,1024,6272');
    assert.equal(blockedRoute([4, 512, 256], [0, 2, 1])?.join(), '4,512,256');
    assert.equal(blockedRoute([100, 6272], [1, 0]), null); // rows not a multiple of 32
    assert.equal(blockedRoute([64, 64], [1, 0]), null); // too small to matter
  });

  const cases: Array<[number[], number[]]> = [
    [[1024, 6272], [1, 0]],
    [[512, 640], [1, 0]],
    [[3, 256, 384], [0, 2, 1]],
    [[2, 256, 3, 384], [0, 3, 1, 2]],
    [[64, 14, 14, 64], [3, 1, 2, 0]],
    [[5, 7, 9, 11], [2, 0, 3, 1]],
  ];
  for (const [shape, perm] of cases) {
    it(`equals tfjs-cpu's Transpose: ${shape.join('×')} perm ${perm.join(',')}`, async () => {
      const x = values(shape, 7);
      const r = await onBoth(() => tf.transpose(tf.tensor(x, shape), perm));
      assert.deepEqual(r.shapes[1], r.shapes[0]);
      assertSame(r.wasm, r.cpu, 'transpose');
    });
  }
});

describe('wasm kernels: GatherV2, Reverse, UnsortedSegmentSum', () => {
  before(() => initEngine({ backend: 'wasm' }));

  const gathers: Array<[number[], number[], number]> = [
    [[4, 4, 128, 64], [3, 1], 0],
    [[4, 4, 32, 8], [2, 0, 2], 1],
    [[6, 70], [5, 0, 5, 1], 0],
    [[3, 5, 2], [4, 1], 1], // short runs: the stock kernel
  ];
  for (const [shape, idx, axis] of gathers) {
    it(`gather ${shape.join('×')} rows ${idx.join(',')} on axis ${axis} equals tfjs-cpu`, async () => {
      const x = values(shape, 3);
      const r = await onBoth(() => tf.gather(tf.tensor(x, shape), tf.tensor1d(idx, 'int32'), axis));
      assert.deepEqual(r.shapes[1], r.shapes[0]);
      assertSame(r.wasm, r.cpu, 'gather');
    });
  }

  it('gather rejects an index out of range and leaks nothing', async () => {
    await useBackend('wasm');
    const x = tf.ones([4, 100]);
    const idx = tf.tensor1d([1, 4], 'int32');
    const before = tf.memory().numTensors;
    assert.throws(() => tf.gather(x, idx, 0), /index 4 is not in \[0, 3\]/);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, idx]);
  });

  const reverses: Array<[number[], number[]]> = [
    [[4, 4, 128, 64], [0, 1]],
    [[5, 3, 80], [1]],
    [[2, 3, 4, 70], [0, 2]],
    [[3, 4, 5], [2]], // reversing the innermost axis: the stock kernel
  ];
  for (const [shape, dims] of reverses) {
    it(`reverse ${shape.join('×')} on axes ${dims.join(',')} equals tfjs-cpu`, async () => {
      const x = values(shape, 5);
      const r = await onBoth(() => tf.reverse(tf.tensor(x, shape), dims));
      assertSame(r.wasm, r.cpu, 'reverse');
    });
  }

  it('unsortedSegmentSum (missing from tfjs-wasm) equals tfjs-cpu, ids out of range dropped', async () => {
    const x = values([6, 3, 4], 9);
    const ids = [2, 0, 2, 1, 5, 0];
    const r = await onBoth(() => tf.unsortedSegmentSum(tf.tensor(x, [6, 3, 4]), tf.tensor1d(ids, 'int32'), 3));
    assert.deepEqual(r.shapes[1], [3, 3, 4]);
    assertClose(r.wasm, r.cpu, { atol: 1e-6, rtol: 1e-6, what: 'segment sum' });
  });

  it('second derivative through a gather of weights (as in the sub-pixel conv gradient) matches finite differences', async () => {
    await useBackend('wasm');
    // f(w) = Σ (∂/∂x Σ tanh(x · gather(w)))²: the outer gradient w.r.t. w runs through
    // GatherV2's gradient (UnsortedSegmentSum) inside a gradient.
    const xv = values([3, 80], 11);
    const f = (w: tf.Tensor) => {
      const x = tf.tensor(xv, [3, 80]);
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(xx, tf.transpose(tf.gather(w, [2, 0], 0))))))(x);
      return tf.sum(tf.square(gx));
    };
    const w0 = values([3, 80], 13);
    const analytic = tf.tidy(() => tf.grad(f)(tf.tensor(w0, [3, 80])).dataSync());
    const numeric = centralDifference((w) => tf.tidy(() => f(tf.tensor(w, [3, 80])).dataSync()[0]), w0);
    assertClose(analytic, numeric, { what: 'd²' });
  });
});

describe('fused Adam', () => {
  before(() => initEngine({ backend: 'wasm' }));

  for (const backend of ['wasm', 'cpu']) {
    it(`gives the op-by-op rule's float32 bits on ${backend} over several steps`, async () => {
      await useBackend(backend);
      assert.ok(fusedAdamAvailable());
      // On wasm the SIMD module runs it (simd.wat), at every size: above FUSED_ADAM_MAX_SIZE too.
      assert.equal(fusedAdamSimd(), backend === 'wasm');
      const shapes = backend === 'wasm' ? [[33, 7], [7], [1], [301, 233]] : [[33, 7], [7], [1]];
      const runWith = (fused: boolean) => {
        const vars = shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(values(s, 20 + i), s))));
        const opt = new Optimizer({ name: 'adam', lr: 3e-3, beta1: 0.5, beta2: 0.999 }, vars);
        opt.fused = fused;
        for (let step = 0; step < 5; step++) tf.tidy(() => opt.apply(shapes.map((s, i) => tf.tensor(values(s, 100 * step + i), s))));
        const out = vars.map((v) => v.dataSync() as Float32Array);
        const state = opt.getState();
        opt.dispose();
        vars.forEach((v) => v.dispose());
        return { out, state };
      };
      const before = tf.memory().numTensors;
      const a = runWith(true);
      const b = runWith(false);
      assert.equal(tf.memory().numTensors, before, 'tensor count');
      a.out.forEach((o, i) => assertSame(o, b.out[i], `θ${i}`));
      for (const slot of ['m', 'v']) a.state.slots[slot].forEach((o, i) => assertSame(o, b.state.slots[slot][i], `${slot}${i}`));
    });
  }

  it('rejects slots of the wrong size', async () => {
    await useBackend('wasm');
    tf.tidy(() => {
      assert.throws(() => fusedAdam(tf.zeros([3]), tf.zeros([3]), tf.zeros([2]), tf.zeros([3]), { beta1: 0.9, beta2: 0.999, stepSize: 1, biasCorrection2: 1, epsilon: 1e-8 }), /v has shape 2/);
    });
  });
});

describe('wasm threads in Node', () => {
  it('two threads give one thread’s numbers, report 2, and the process exits', () => {
    const script = fileURLToPath(new URL('./helpers/threadsProbe.js', import.meta.url));
    const run = (threads: string) => {
      const r = spawnSync(process.execPath, [script], { env: { ...process.env, GANKIT_THREADS: threads }, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `GANKIT_THREADS=${threads}: exit ${r.status} ${r.signal ?? ''}\n${r.stderr}`);
      return JSON.parse(r.stdout) as { threads: number; conv: number[]; matmul: number[] };
    };
    const one = run('1');
    const two = run('2');
    assert.equal(one.threads, 1);
    assert.equal(two.threads, 2);
    assertClose(two.conv, one.conv, { atol: 1e-5, rtol: 1e-5, what: 'conv' });
    assertClose(two.matmul, one.matmul, { atol: 1e-5, rtol: 1e-5, what: 'matMul' });
  });

  it('says so when asked for another thread count once wasm runs (it cannot change in a process)', async () => {
    await useBackend('wasm');
    const { wasmThreads } = await import('../src/engine/index.js');
    const warnings: string[] = [];
    await initEngine({ backend: 'wasm', threads: wasmThreads() + 1, warn: (m) => warnings.push(m) });
    assert.match(warnings[0] ?? '', /already runs with \d thread\(s\); --threads \d would need a new process/);
    await initEngine({ backend: 'wasm', threads: wasmThreads(), warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
  });

  it('rejects a bad thread count with the variable named', async () => {
    const { resolveThreads } = await import('../src/engine/index.js');
    assert.throws(() => resolveThreads('0'), /threads: expected an integer from 1 to 8, got '0'/);
    assert.equal(resolveThreads(3), 3);
  });
});

describe('dense (one fused kernel, gradient registered here)', () => {
  const acts = ['linear', 'relu', 'leakyrelu'] as const;
  for (const backend of ['wasm', 'cpu']) {
    for (const act of acts) {
      it(`${act} on ${backend}: values equal the unfused ops; first and second derivatives match finite differences`, async () => {
        await useBackend(backend);
        const xv = values([5, 4], 31);
        const wv = values([4, 3], 32);
        const bv = values([3], 33);
        // Keep pre-activations away from the kink so finite differences do not straddle it.
        const unfused = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => {
          const z = tf.add(tf.matMul(x, w), b);
          return act === 'relu' ? tf.relu(z) : act === 'leakyrelu' ? tf.leakyRelu(z, 0.2) : z;
        };
        tf.tidy(() => {
          const x = tf.tensor2d(xv, [5, 4]);
          const w = tf.tensor2d(wv, [4, 3]);
          const b = tf.tensor1d(bv);
          assertClose(dense(x, w, b, act).dataSync(), unfused(x, w, b).dataSync(), { atol: 1e-6, rtol: 1e-6, what: 'forward' });
        });
        // f(w) = Σ tanh(dense(x, w, b)) and g(w) = ‖∂f/∂x‖² (a gradient penalty's shape).
        const f = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.sum(tf.tanh(dense(x, w, tf.tensor1d(bv), act)));
        const g = (w: tf.Tensor2D) => tf.sum(tf.square(tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D, w))(tf.tensor2d(xv, [5, 4]))));
        const dF = tf.tidy(() => tf.grad((w: tf.Tensor) => f(tf.tensor2d(xv, [5, 4]), w as tf.Tensor2D))(tf.tensor2d(wv, [4, 3])).dataSync());
        const dFnum = centralDifference((w) => tf.tidy(() => f(tf.tensor2d(xv, [5, 4]), tf.tensor2d(w, [4, 3])).dataSync()[0]), wv);
        assertClose(dF, dFnum, { what: 'df/dW' });
        const dG = tf.tidy(() => tf.grad((w: tf.Tensor) => g(w as tf.Tensor2D))(tf.tensor2d(wv, [4, 3])).dataSync());
        const dGnum = centralDifference((w) => tf.tidy(() => g(tf.tensor2d(w, [4, 3])).dataSync()[0]), wv);
        assertClose(dG, dGnum, { what: 'd‖∂f/∂x‖²/dW' });
        const db = tf.tidy(() => tf.grad((b: tf.Tensor) => tf.sum(tf.tanh(dense(tf.tensor2d(xv, [5, 4]), tf.tensor2d(wv, [4, 3]), b as tf.Tensor1D, act))))(tf.tensor1d(bv)).dataSync());
        const dbNum = centralDifference((b) => tf.tidy(() => tf.sum(tf.tanh(dense(tf.tensor2d(xv, [5, 4]), tf.tensor2d(wv, [4, 3]), tf.tensor1d(b), act))).dataSync()[0]), bv);
        assertClose(db, dbNum, { what: 'df/db' });
      });
    }
  }

  it('rejects shapes that do not fit', async () => {
    await useBackend('wasm');
    tf.tidy(() => assert.throws(() => dense(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([4, 5]) as tf.Tensor2D, tf.zeros([5]) as tf.Tensor1D), /do not fit/));
  });
});

describe('ResizeNearestNeighborGrad (kernels/resizeGrad.ts)', () => {
  /** ∂⟨resize(x), dy⟩/∂x by definition: each dy pixel goes to the input pixel it was copied from. */
  function reference(shape: number[], dy: Float32Array, dyShape: number[]): Float32Array {
    const [n, h, w, c] = shape;
    const [, yh, yw] = dyShape;
    const out = new Float32Array(n * h * w * c);
    for (let b = 0; b < n; b++)
      for (let i = 0; i < yh; i++)
        for (let j = 0; j < yw; j++)
          for (let d = 0; d < c; d++) {
            const r = Math.min(h - 1, Math.floor((i * h) / yh));
            const s = Math.min(w - 1, Math.floor((j * w) / yw));
            out[((b * h + r) * w + s) * c + d] += dy[((b * yh + i) * yw + j) * c + d];
          }
    return out;
  }
  const grad = (shape: number[], dyShape: number[]) => {
    const dy = Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7919) % 97) - 48); // integers: every order of addition is exact
    const out = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [dyShape[1], dyShape[2]]), tf.tensor(dy, dyShape))))(tf.zeros(shape)).dataSync() as Float32Array);
    return { out, expected: reference(shape, dy, dyShape), dy };
  };

  it('on cpu and wasm: every image of a batch gets the gradient of its own part of dy (×2 and ×7/3)', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await useBackend(backend);
      for (const [shape, dyShape] of [[[2, 3, 3, 2], [2, 6, 6, 2]], [[3, 3, 3, 1], [3, 7, 7, 1]]]) {
        const { out, expected } = grad(shape, dyShape);
        assert.deepEqual(Array.from(out), Array.from(expected), `${backend} ${shape} → ${dyShape}`);
      }
    }
  });

  it("tfjs-cpu 4.22's own kernel reads image b's dy at the image's batch stride: right for one image, wrong for the second", async () => {
    await useBackend('cpu');
    assert.ok(stockCpuResizeNearestNeighborGrad, 'the stock kernel was replaced');
    const { dy, expected } = grad([2, 3, 3, 2], [2, 6, 6, 2]);
    const stock = tf.tidy(() => {
      const backend = tf.backend();
      const info = stockCpuResizeNearestNeighborGrad!({ inputs: { images: tf.zeros([2, 3, 3, 2]), dy: tf.tensor(dy, [2, 6, 6, 2]) }, backend, attrs: { alignCorners: false, halfPixelCenters: false } }) as tf.TensorInfo;
      return tf.engine().makeTensorFromDataId(info.dataId, info.shape, info.dtype).dataSync() as Float32Array;
    });
    assert.deepEqual(Array.from(stock.subarray(0, 18)), Array.from(expected.subarray(0, 18)), 'image 0 is right');
    assert.notDeepEqual(Array.from(stock.subarray(18)), Array.from(expected.subarray(18)), 'image 1 is not');
  });
});

describe('sumAll (Σ over many tensors in one kernel)', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`equals the sum of tf.sum on ${backend}, plain and squared, with no tensors left behind`, async () => {
      await useBackend(backend);
      const ts = [values([7, 5], 41), values([300], 42), values([1], 43), values([70000], 44)].map((v) => tf.tensor(v)); // the last: backend sums
      const before = tf.memory().numTensors;
      const plain = tf.tidy(() => sumAll(ts).dataSync()[0]);
      const squared = tf.tidy(() => sumAll(ts, true).dataSync()[0]);
      assert.equal(tf.memory().numTensors, before);
      const ref = tf.tidy(() => tf.addN(ts.map((t) => tf.sum(t))).dataSync()[0]);
      const refSq = tf.tidy(() => tf.addN(ts.map((t) => tf.sum(tf.square(t)))).dataSync()[0]);
      assert.ok(Math.abs(plain - ref) <= 1e-4 * Math.max(1, Math.abs(ref)), `${plain} vs ${ref}`);
      assert.ok(Math.abs(squared - refSq) <= 1e-4 * refSq, `${squared} vs ${refSq}`);
      assert.equal(tf.tidy(() => sumAll([]).dataSync()[0]), 0);
      tf.dispose(ts);
    });
  }
});

describe('wasm kernels: Sum and Mean with merged axes', () => {
  it('merges neighbouring reduced / kept axes', () => {
    assert.deepEqual(mergeReductionAxes([64, 14, 14, 32], [0, 1, 2]), { shape: [12544, 32], axes: [0] });
    assert.deepEqual(mergeReductionAxes([2, 3, 4, 5], [1, 2]), { shape: [2, 12, 5], axes: [1] });
    assert.deepEqual(mergeReductionAxes([2, 3, 4], [-1]), { shape: [6, 4], axes: [1] });
    assert.equal(mergeReductionAxes([2, 3, 4], [1]), null);
    assert.deepEqual(mergeReductionAxes([2, 3, 4], [0, 1, 2]), { shape: [24], axes: [0] });
  });

  const cases: Array<[number[], number | number[] | undefined, boolean]> = [
    [[8, 7, 7, 70], [0, 1, 2], false],
    [[8, 7, 7, 70], [0, 1, 2], true],
    [[4, 5, 6, 3], [1, 2], true],
    [[4, 5, 6], -1, false],
    [[4, 5, 6], undefined, false],
    [[300, 70], 0, false],
  ];
  for (const [shape, axis, keepDims] of cases) {
    for (const op of ['sum', 'mean'] as const) {
      it(`${op} of ${shape.join('×')} over ${JSON.stringify(axis)}${keepDims ? ', keepDims' : ''} equals tfjs-cpu`, async () => {
        const x = values(shape, 51);
        const r = await onBoth(() => tf[op](tf.tensor(x, shape), axis, keepDims));
        assert.deepEqual(r.shapes[1], r.shapes[0]);
        assertClose(r.wasm, r.cpu, { atol: 1e-4, rtol: 1e-5, what: op });
      });
    }
  }
});

describe('webgpu Sum and Mean over leading axes: which route (kernels/webgpuReduce.ts)', () => {
  // The values are held to tfjs-cpu by the webgpu parity suite's op cases, which name these shapes.
  it('a thread per column when the reduced axes lead and rows ≤ columns; tfjs-webgpu’s own otherwise', () => {
    assert.deepEqual(columnRoute([2, 6272], [0]), { rows: 2, columns: 6272, leading: 1 });
    assert.deepEqual(columnRoute([2, 300], 0), { rows: 2, columns: 300, leading: 1 });
    assert.deepEqual(columnRoute([2, 2, 2, 16], [2, 0, 1]), { rows: 8, columns: 16, leading: 3 });
    assert.deepEqual(columnRoute([2, 7, 7, 128], [0, 1, 2]), { rows: 98, columns: 128, leading: 3 });
    assert.deepEqual(columnRoute([4, 6], [-2]), { rows: 4, columns: 6, leading: 1 });
    assert.equal(columnRoute([64, 7, 7, 128], [0, 1, 2]), null, 'rows 3136 > columns 128');
    assert.equal(columnRoute([2, 5, 5, 3], [0, 1, 2]), null, 'rows 50 > columns 3');
    assert.equal(columnRoute([4, 6], [1]), null, 'not a leading axis');
    assert.equal(columnRoute([4, 6, 5], [0, 2]), null, 'not only leading axes');
    assert.equal(columnRoute([4, 6], [0, 1]), null, 'every axis');
    assert.equal(columnRoute([4, 6], null), null, 'every axis');
  });
});

/**
 * f(s) = Σ (s ⊙ ∂/∂x Σ w·act(x·s))² differentiated in s, against central differences: the
 * activation's gradient kernel and that kernel's own gradient (what a gradient penalty runs).
 */
function secondOrderThrough(act: (t: tf.Tensor) => tf.Tensor, what: string): void {
  const x0 = Float32Array.from([0.7, -0.4, 1.3, -1.1, 0.25, -0.6]);
  const w = tf.tensor([0.3, -1.2, 0.8, 0.5, -0.7, 1.1]);
  const f = (s: tf.Tensor) => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(w, act(tf.mul(t, s)))))(tf.tensor(x0));
    return tf.sum(tf.square(tf.mul(g, s)));
  };
  const s0 = Float32Array.from([1.1, 0.9, 1.3, 0.8, 1.2, 1.05]);
  const analytic = tf.tidy(() => tf.grad(f)(tf.tensor(s0)).dataSync() as Float32Array);
  const numeric = centralDifference((v) => tf.tidy(() => f(tf.tensor(v)).dataSync()[0]), s0, 1e-3);
  assertClose(analytic, numeric, { what });
  w.dispose();
}

describe('leaky relu and its gradient as one kernel (kernels/leakyRelu.ts)', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`on ${backend}: the stock ops' bits forward and backward; second order by finite differences`, async () => {
      await useBackend(backend);
      const n = 1037; // not a multiple of 4: the SIMD tail runs too
      const x = tf.tensor(values([n], 5).map((v, i) => (i % 7 === 0 ? 0 : v)));
      const dy = tf.tensor(values([n], 6));
      for (const alpha of [0.2, 0]) {
        const fused = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(alpha === 0 ? tf.relu(t) : tf.leakyRelu(t, alpha), dy)))(x).dataSync() as Float32Array);
        const stock = tf.tidy(() => tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha)).dataSync() as Float32Array);
        assertSame(fused, stock, `gradient, α ${alpha}`);
      }
      if (backend === 'wasm') {
        // The forward kernel is replaced on wasm only (tfjs-cpu's own multiplies by α in float64).
        const forward = tf.tidy(() => tf.leakyRelu(x, 0.2).dataSync() as Float32Array);
        const expected = tf.tidy(() => tf.where(tf.less(x, 0), tf.mul(x, 0.2), x).dataSync() as Float32Array);
        assertSame(forward, expected, 'forward');
      }
      // f(x) = Σ (∂/∂x Σ w·leakyRelu(x·s))², through the gradient kernel's own gradient.
      secondOrderThrough((t) => tf.leakyRelu(t, 0.2), '∂f/∂s');
      tf.dispose([x, dy]);
    });
  }
});

describe('the ELU gradient as one kernel (kernels/elu.ts)', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`on ${backend}: equals x > 0 ? dy : dy·eˣ; first and second order by finite differences; nothing leaks`, async () => {
      await useBackend(backend);
      const n = 1037;
      const x = tf.tensor(values([n], 7).map((v, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -60 * v * v : 3 * v)));
      const dy = tf.tensor(values([n], 8));
      assert.ok(tf.getKernel(ELU_GRAD, backend), `${ELU_GRAD} is registered on ${backend}`);
      const before = tf.memory().numTensors;
      const fused = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.elu(t), dy)))(x).dataSync() as Float32Array);
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      // Against eˣ itself (not the kernel's y + 1): equal to float32 rounding, and within 1e-7·|dy| where eˣ underflows y + 1.
      const ops = tf.tidy(() => tf.where(tf.greater(x, 0), dy, tf.mul(dy, tf.exp(tf.minimum(x, 0)))).dataSync() as Float32Array);
      assertClose(fused, ops, { what: 'gradient vs dy·eˣ', rtol: 1e-6, atol: 1e-7 });
      assert.ok(fused.every(Number.isFinite), 'finite for large negative inputs');
      // f(s) = Σ (∂/∂x Σ w·elu(x·s))²: the kernel's gradient in dy and in x.
      secondOrderThrough((t) => tf.elu(t), '∂f/∂s (second order through the ELU gradient)');
      tf.dispose([x, dy]);
    });
  }
});

/** The distance between a and b in float32 steps at b (b's own spacing; the smallest subnormal at 0). */
function ulpsApart(a: number, b: number): number {
  const f = new Float32Array([Math.abs(b)]);
  const bits = new Uint32Array(f.buffer);
  const at = f[0];
  bits[0] += 1;
  return Math.abs(a - b) / (f[0] - at);
}

describe('tanh and its gradient as kernels (kernels/tanh.ts)', () => {
  it('on wasm: forward within 1.3 float32 ulps of tanh over ±12, tiny and subnormal inputs; NaN, ±0 and ±∞ kept', async () => {
    await useBackend('wasm');
    const n = 400_003; // not a multiple of 4: the SIMD tail runs too
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = i < 300_000 ? ((i - 150_000) / 150_000) * 12 : (i % 2 ? -1 : 1) * 10 ** (-45 + (45 * (i - 300_000)) / 100_003);
    const specials = [0, -0, Infinity, -Infinity, NaN, 0.625, -0.625, 0.62499994, 9.999999, 10, 88, -1e-45];
    x.set(specials, n - specials.length);
    const y = tf.tidy(() => tf.tanh(tf.tensor(x)).dataSync() as Float32Array);
    let worst = 0;
    let worstAt = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(x[i])) continue;
      const e = ulpsApart(y[i], Math.tanh(x[i]));
      if (e > worst) [worst, worstAt] = [e, x[i]];
    }
    assert.ok(worst <= 1.3, `tanh is ${worst.toFixed(2)} ulps off at ${worstAt}`);
    const s = Array.from(y.subarray(n - specials.length));
    assert.ok(Object.is(s[0], 0) && Object.is(s[1], -0), 'the sign of zero');
    assert.deepEqual(s.slice(2, 4), [1, -1]);
    assert.ok(Number.isNaN(s[4]), 'NaN stays NaN');
    assert.deepEqual(s.slice(9, 11), [1, 1], 'saturates at 10 and beyond');
  });

  for (const backend of ['wasm', 'cpu']) {
    it(`on ${backend}: the gradient is dy·(1 − y·y) bit for bit; second order by finite differences; nothing leaks`, async () => {
      await useBackend(backend);
      assert.ok(tf.getKernel(TANH_GRAD, backend), `${TANH_GRAD} is registered on ${backend}`);
      const n = 1037;
      const x = tf.tensor(values([n], 9).map((v, i) => (i % 13 === 0 ? 0 : i % 11 === 0 ? 30 * v : 3 * v)));
      const dy = tf.tensor(values([n], 10));
      const before = tf.memory().numTensors;
      const fused = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tanh(t), dy)))(x).dataSync() as Float32Array);
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      const ops = tf.tidy(() => {
        const y = tf.tanh(x);
        return tf.mul(dy, tf.sub(1, tf.mul(y, y))).dataSync() as Float32Array;
      });
      assertSame(fused, ops, 'gradient');
      // f(s) = Σ (∂/∂x Σ w·tanh(x·s))²: the kernel's gradient in dy and in x.
      secondOrderThrough((t) => tf.tanh(t), '∂f/∂s (second order through the tanh gradient)');
      tf.dispose([x, dy]);
    });
  }
});

describe('the SIMD module', () => {
  it('src/engine/kernels/simdModule.ts is what scripts/build-simd.mjs makes of simd.wat', () => {
    const script = fileURLToPath(new URL('../../scripts/build-simd.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr.split('\n').filter((l) => l.includes('stale') || l.includes('rror')).join('\n'));
  });
});


/**
 * Float64 reference of act(batchNorm(x + b)) and its gradient for dy (the formulas of
 * kernels/batchNorm.ts), over [rows, cols].
 */
function batchNormReference(x: Float32Array, b: Float32Array, g: Float32Array, s: Float32Array, dy: Float32Array, cols: number, activation: string, alpha: number) {
  const rows = x.length / cols;
  const y = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  const dg = new Float64Array(cols);
  const ds = new Float64Array(cols);
  const db = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let m = 0;
    for (let r = 0; r < rows; r++) m += x[r * cols + c] + b[c];
    m /= rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (x[r * cols + c] + b[c] - m) ** 2;
    v /= rows;
    const inv = 1 / Math.sqrt(v + Math.fround(1e-5));
    const u = new Float64Array(rows);
    const h = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      h[r] = (x[r * cols + c] + b[c] - m) * inv;
      const pre = h[r] * g[c] + s[c];
      const slope = activation === 'relu' ? 0 : activation === 'leakyrelu' ? alpha : 1;
      y[r * cols + c] = pre > 0 ? pre : slope * pre;
      u[r] = pre > 0 ? dy[r * cols + c] : slope * dy[r * cols + c];
      ds[c] += u[r];
      dg[c] += u[r] * h[r];
    }
    for (let r = 0; r < rows; r++) dx[r * cols + c] = g[c] * inv * (u[r] - ds[c] / rows - (h[r] * dg[c]) / rows);
    db[c] = 0; // Σ_r dx, zero in exact arithmetic
  }
  return { y, dx, dg, ds, db };
}

/** max |a − b| ≤ tol·max |b| (+ tiny): a tolerance relative to the array's scale. */
function assertNear(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  let at = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (!(e <= worst)) [worst, at] = [e, i];
  }
  assert.ok(worst <= tol * scale + 1e-30, `${what}[${at}]: ${a[at]} vs ${b[at]} (${(worst / (scale || 1)).toExponential(2)} of max |ref| ${scale.toExponential(2)}, allowed ${tol})`);
}

describe('batch norm with bias and activation as one kernel each way (kernels/batchNorm.ts)', () => {
  before(() => initEngine({ backend: 'wasm' }));
  const shapes: Array<[number[], string]> = [
    [[16, 7, 7, 12], 'relu'],
    [[64, 96], 'relu'],
    [[9, 3, 3, 7], 'leakyrelu'], // 7 channels: the SIMD tail
    [[5, 6], 'linear'],
    [[4, 1025], 'leakyrelu'],
    [[2, 3, 3, 8], 'linear'], // 18 rows: a 4-row block with 2 (the SIMD module sums 4 rows at a time)
    [[3, 8], 'relu'], // fewer rows than a block
  ];
  for (const [shape, activation] of shapes) {
    it(`${shape.join('×')}, ${activation}: forward within 4·10⁻⁷ of max |y| of float64 and never further than the ops; gradients within 2·10⁻⁶ of max |float64|`, () => {
      assert.ok(batchNormAvailable(), 'the kernel runs on wasm');
      const cols = shape[shape.length - 1];
      const n = shape.reduce((a, b) => a * b, 1);
      const xv = values(shape, 11).map((v, i) => 2 * v + 0.1 * ((i % cols) % 7)); // |μ| ≲ σ (for |μ| ≫ σ both lose digits to z − μ; see below)
      const [bv, gv, sv] = [values([cols], 12), values([cols], 13).map((v) => 1 + 0.5 * v), values([cols], 14).map((v) => 0.3 * v)];
      const dyv = values(shape, 15);
      const attrs = { epsilon: 1e-5, activation: activation as 'relu', alpha: 0.2 };
      const [x, b, g, s, dy] = [tf.tensor(xv, shape), tf.tensor1d(bv), tf.tensor1d(gv), tf.tensor1d(sv), tf.tensor(dyv, shape)];
      const ref = batchNormReference(xv, bv, gv, sv, dyv, cols, activation, 0.2);
      const before = tf.memory().numTensors;
      const fusedY = tf.tidy(() => batchNorm(x, b, g, s, attrs).dataSync() as Float32Array);
      const opsY = tf.tidy(() => batchNormOps(x, b, g, s, attrs).dataSync() as Float32Array);
      // The ops take μ and σ² in float32 and lose digits to cancellation (z − μ) where |μ| ≫ σ: the
      // kernel's sums in float64 make it at least as close to float64 as the ops, everywhere.
      const worst = (a: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - ref.y[i])), 0);
      assert.ok(worst(fusedY) <= worst(opsY) * 1.01 + 1e-7, `y: the kernel ${worst(fusedY)} from float64, the ops ${worst(opsY)}`);
      assertNear(fusedY, ref.y, 4e-7, 'y vs float64');
      const f = (t: tf.Tensor, bb: tf.Tensor, gg: tf.Tensor, ss: tf.Tensor) => tf.sum(tf.mul(batchNorm(t, bb, gg, ss, attrs), dy));
      const grads = tf.tidy(() => tf.grads(f)([x, b, g, s]).map((t) => t.dataSync() as Float32Array));
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      assertNear(grads[0], ref.dx, 2e-6, 'dx');
      assertNear(grads[2], ref.dg, 2e-6, 'dγ');
      assertNear(grads[3], ref.ds, 2e-6, 'dβ');
      // db is Σ_r dx: zero up to rounding, as the ops' own.
      const dxScale = ref.dx.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(grads[1].every((v) => Math.abs(v) <= 1e-5 * dxScale * (n / cols)), 'db ≈ 0');
      tf.dispose([x, b, g, s, dy]);
    });
  }

  it('with only the gain and shift differentiated, or only x, nothing leaks', () => {
    const shape = [8, 12];
    const [x, b, g, s] = [tf.tensor(values(shape, 21), shape), tf.tensor1d(values([12], 22)), tf.tensor1d(values([12], 23)), tf.tensor1d(values([12], 24))];
    const attrs = { epsilon: 1e-5, activation: 'relu' as const, alpha: 0 };
    const before = tf.memory().numTensors;
    tf.tidy(() => tf.grads((gg: tf.Tensor, ss: tf.Tensor) => tf.sum(batchNorm(x, b, gg, ss, attrs)))([g, s]).map((t) => t.dataSync()));
    tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.square(batchNorm(t, b, g, s, attrs))))(x).dataSync());
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, b, g, s]);
  });
});

describe('moving average, same-dtype Cast and Concat (kernels/movingAverage.ts, kernels/copies.ts): the ops’ bits', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`on ${backend}: d·avg + (1 − d)·x equals the three ops bit for bit`, async () => {
      await useBackend(backend);
      const n = 70_001;
      const [avg, x] = [tf.tensor(values([n], 31)), tf.tensor(values([n], 32))];
      for (const d of [0.999, 0.5, 1 / 3]) {
        const fused = tf.tidy(() => movingAverage(avg, x, d).dataSync() as Float32Array);
        const ops = tf.tidy(() => tf.add(tf.mul(d, avg), tf.mul(1 - d, x)).dataSync() as Float32Array);
        assertSame(fused, ops, `decay ${d}`);
      }
      tf.dispose([avg, x]);
    });
  }

  it('on wasm: Concat of rows (channels, a middle axis, int32) equals tfjs-cpu’s; a same-dtype Cast shares the data', async () => {
    const cases: Array<[number[][], number]> = [
      [[[4, 5, 5, 1], [4, 5, 5, 10]], 3],
      [[[4, 5, 5, 3], [4, 5, 5, 2], [4, 5, 5, 1]], 3],
      [[[3, 2, 7], [3, 5, 7]], 1],
      [[[6, 1], [6, 0], [6, 2]], 1],
    ];
    for (const [shapes, axis] of cases) {
      for (const dtype of ['float32', 'int32'] as const) {
        const make = () => shapes.map((s, i) => tf.tensor(values(s, 40 + i).map((v) => (dtype === 'int32' ? Math.round(100 * v) : v)), s, dtype));
        const r = await onBoth(() => tf.tidy(() => tf.concat(make(), axis)));
        assert.deepEqual(r.shapes[1], r.shapes[0]);
        assertSame(r.wasm, r.cpu, `concat ${shapes.map((s) => s.join('×')).join(' + ')} on axis ${axis} (${dtype})`);
      }
    }
    await useBackend('wasm');
    const x = tf.tensor(values([1000], 50));
    const before = tf.memory().numBytes;
    const y = tf.cast(x, 'float32');
    assertSame(y.dataSync(), x.dataSync(), 'cast');
    assert.equal(tf.memory().numBytes, before + 4000, 'one more tensor of the same data (tfjs counts bytes per tensor)');
    x.dispose();
    assertSame(y.dataSync(), values([1000], 50), 'the cast outlives its source');
    y.dispose();
  });
});
