/**
 * What a checkpoint holds of a trainer, and how: the header (step, RNG state, loss state, the
 * optimisers' step counts, the data stream's position) and the named float arrays — G/i, D/i,
 * Gema/i, Dstate/i, Gstate/i, opt{D,G}/SLOT/i, data/order and standing/i, in that order (the
 * order is the file's layout). standing/i are a batch-norm generator's standing statistics when the
 * trainer held them for these weights (after an evaluation): derived data, kept so that sampling,
 * scoring or exporting a finished run does not recompute them; a checkpoint without them is whole.
 * The runner adds the seconds trained, the run's fingerprint and, in best.bin, why it was kept.
 * The checkpoint file around it is src/runfolder/checkpoint.ts.
 *
 * No Node module: the page's trainer encodes and restores through it too.
 */
import { tf } from '../engine/index.js';
import type { Optimizer, Rng, RngState } from '../engine/index.js';
import type { CheckpointArrays } from './checkpoint.js';

export interface TrainerState {
  step: number;
  rng: RngState;
  /** The loss's state across steps (BEGAN's k): plain numbers. */
  lossState: Record<string, number>;
  /** The data stream's position (epoch-wise shuffling), when the source has one. */
  data?: { epoch: number; cursor: number };
}

/** A checkpoint's header as the trainer writes it: its state and the optimisers' step counts. */
export interface TrainerHeader extends TrainerState {
  optD: number;
  optG: number;
  /** Which weights the standing/i arrays are of (the EMA copy's or G's), and their shapes. */
  standing?: { ema: boolean; shapes: number[][] };
}

/** A batch-norm generator's standing statistics (src/train/sampling.ts), and whether they are of the EMA copy. */
export interface HeldStanding {
  ema: boolean;
  stats: tf.Tensor[];
}

/** best.bin's record of why it was kept: its step and the value of the column that picks it (image runs: `fid`). */
export type BestRecord = { step: number } & Record<string, number>;

/** A checkpoint's header: the trainer's state, the seconds trained so far, and whose run it is. */
export interface CheckpointHeader extends TrainerHeader {
  /** best.bin only: the step and value it was kept for. */
  best?: BestRecord;
  elapsed: number;
  /** The run it belongs to (src/runfolder/fingerprint.ts); absent in checkpoints written before gankit recorded it. */
  run?: Record<string, unknown>;
}

/** The trainer's parts a checkpoint stores. */
export interface TrainerParts {
  G: tf.Variable[];
  D: tf.Variable[];
  /** G's EMA copy, when the run keeps one. */
  ema: tf.Variable[] | null;
  /** The networks' non-trained state (spectral norm's vectors, batch-norm statistics). */
  Gstate?: tf.Variable[];
  Dstate?: tf.Variable[];
  optD: Optimizer;
  optG: Optimizer;
  /** The data stream's position, when the source has one. */
  source: { getState?(): { epoch: number; cursor: number; order: Int32Array | null }; setState?(state: { epoch: number; cursor: number; order: Int32Array | null }): void };
}

/** The header and arrays of a checkpoint of these parts at this state. */
export function encodeTrainerState(parts: TrainerParts, state: { step: number; rng: Rng; lossState: Record<string, number>; standing?: HeldStanding }): { header: TrainerHeader; arrays: CheckpointArrays } {
  const arrays: CheckpointArrays = {};
  parts.G.forEach((v, i) => (arrays[`G/${i}`] = v.dataSync() as Float32Array));
  parts.D.forEach((v, i) => (arrays[`D/${i}`] = v.dataSync() as Float32Array));
  parts.ema?.forEach((v, i) => (arrays[`Gema/${i}`] = v.dataSync() as Float32Array));
  parts.Dstate?.forEach((v, i) => (arrays[`Dstate/${i}`] = v.dataSync() as Float32Array));
  parts.Gstate?.forEach((v, i) => (arrays[`Gstate/${i}`] = v.dataSync() as Float32Array));
  for (const [prefix, opt] of [['optD', parts.optD], ['optG', parts.optG]] as const) {
    for (const [slot, values] of Object.entries(opt.getState().slots)) values.forEach((a, i) => (arrays[`${prefix}/${slot}/${i}`] = a));
  }
  const header: TrainerHeader = { step: state.step, rng: state.rng.getState(), lossState: { ...state.lossState }, optD: parts.optD.stepCount, optG: parts.optG.stepCount };
  const data = parts.source.getState?.();
  if (data) {
    header.data = { epoch: data.epoch, cursor: data.cursor };
    if (data.order) arrays['data/order'] = Float32Array.from(data.order);
  }
  if (state.standing) {
    state.standing.stats.forEach((t, i) => (arrays[`standing/${i}`] = t.dataSync() as Float32Array));
    header.standing = { ema: state.standing.ema, shapes: state.standing.stats.map((t) => [...t.shape]) };
  }
  return { header, arrays };
}

/**
 * Puts a checkpoint's arrays into the parts (weights, EMA copy, network state, optimiser slots,
 * the data stream's position) and the RNG state into `rng`; returns the step and loss state.
 * A missing or mis-sized array is an error naming it (`checkpoint: …`).
 */
export function restoreTrainerState(parts: TrainerParts, rng: Rng, header: TrainerHeader, arrays: CheckpointArrays): { step: number; lossState: Record<string, number>; standing?: HeldStanding } {
  assignArrays(parts.G, 'G', arrays);
  assignArrays(parts.D, 'D', arrays);
  if (parts.ema) assignArrays(parts.ema, 'Gema', arrays);
  if (parts.Dstate?.length) assignArrays(parts.Dstate, 'Dstate', arrays);
  if (parts.Gstate?.length) assignArrays(parts.Gstate, 'Gstate', arrays);
  for (const [prefix, opt, step, vars] of [['optD', parts.optD, header.optD, parts.D], ['optG', parts.optG, header.optG, parts.G]] as const) {
    const slots: Record<string, Float32Array[]> = {};
    for (const name of Object.keys(opt.getState().slots)) {
      slots[name] = vars.map((_, i) => arrays[`${prefix}/${name}/${i}`]);
      if (slots[name].some((a) => !a)) throw new Error(`checkpoint: optimiser slot ${prefix}/${name} is missing`);
    }
    opt.setState({ step, slots });
  }
  if (header.data && parts.source.setState) {
    const order = arrays['data/order'];
    parts.source.setState({ epoch: header.data.epoch, cursor: header.data.cursor, order: order ? Int32Array.from(order) : null });
  }
  rng.setState(header.rng);
  return { step: header.step, lossState: { ...header.lossState }, standing: standingOf(header, arrays) };
}

/** The standing statistics a checkpoint kept, if it kept them whole (else none: they are recomputed). */
function standingOf(header: TrainerHeader, arrays: CheckpointArrays): HeldStanding | undefined {
  const kept = header.standing;
  if (!kept || !Array.isArray(kept.shapes)) return undefined;
  const values = kept.shapes.map((_, i) => arrays[`standing/${i}`]);
  const whole = (shape: unknown, a: Float32Array | undefined) => Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d > 0) && a !== undefined && a.length === shape.reduce((p: number, d: number) => p * d, 1);
  if (!kept.shapes.every((shape, i) => whole(shape, values[i]))) return undefined;
  return { ema: kept.ema === true, stats: kept.shapes.map((shape, i) => tf.tensor(values[i]!, shape)) };
}

/**
 * Weights without training state (pretrained models): `G/i` into G and its EMA copy (`Gstate/i`
 * into its network state), and with `discriminator`, `D/i` and `Dstate/i` into D.
 */
export function restoreWeights(parts: Pick<TrainerParts, 'G' | 'D' | 'ema' | 'Gstate' | 'Dstate'>, arrays: CheckpointArrays, discriminator: boolean): void {
  assignArrays(parts.G, 'G', arrays);
  if (parts.ema) assignArrays(parts.ema, 'G', arrays);
  if (parts.Gstate?.length) assignArrays(parts.Gstate, 'Gstate', arrays);
  if (discriminator) {
    assignArrays(parts.D, 'D', arrays);
    if (parts.Dstate?.length) assignArrays(parts.Dstate, 'Dstate', arrays);
  }
}

function assignArrays(vars: tf.Variable[], prefix: string, arrays: CheckpointArrays): void {
  vars.forEach((v, i) => {
    const a = arrays[`${prefix}/${i}`];
    if (!a || a.length !== v.size) throw new Error(`checkpoint: ${prefix}/${i} is missing or has the wrong size (the model in config.json differs from the checkpoint's)`);
    tf.tidy(() => v.assign(tf.tensor(a, v.shape)));
  });
}
