/**
 * Whose run a checkpoint is: the fingerprint recorded in its header, and the check that refuses a
 * checkpoint of another run (a copied or foreign checkpoint.bin) before it is trained on.
 */
import { RunFolderError } from './folder.js';
import type { RunFolder } from './folder.js';
import type { CheckpointHeader } from './trainerState.js';

/** The parts of a run config a fingerprint reads (src/train/fields.ts's RunConfig has them). */
export interface FingerprintedConfig {
  loss: string;
  variant: string | null;
  data: { name: string; size?: number; channels?: number; radius?: number; std?: number };
  model: unknown;
  seed: number;
  conditional: string;
  infogan: unknown;
  optimizerD: { name: string };
  optimizerG: { name: string };
  ema: number;
}

/**
 * What makes a checkpoint belong to a run: the loss (and variant), the data, the networks, the
 * seed, the conditioning and codes, the optimisers' kinds and whether G has an EMA copy — what
 * must not change between a checkpoint and the config that resumes it. Steps, learning rates and
 * logging may.
 */
export function runFingerprint(c: FingerprintedConfig): Record<string, unknown> {
  // The data by what it is, not where it lies: a moved image folder is the same data.
  const { name, size, channels, radius, std } = c.data;
  const data = { name: name.startsWith('folder:') ? 'folder' : name, size, channels, radius, std };
  return { loss: c.loss, variant: c.variant, data, model: c.model, seed: c.seed, conditional: c.conditional, infogan: c.infogan, optimizers: [c.optimizerD.name, c.optimizerG.name], ema: c.ema > 0 };
}

/** JSON with sorted keys and no undefined fields (as stored), so that two fingerprints compare by value. */
const canonical = (v: unknown): string =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v as object)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : JSON.stringify(v);

/**
 * Refuses a checkpoint recorded for another run (a copied or foreign checkpoint.bin), and one that
 * records no run (written before gankit kept the record): it cannot be checked, so it is not used.
 */
export function checkFingerprint(folder: RunFolder, header: CheckpointHeader, config: FingerprintedConfig, which: 'checkpoint' | 'best' = 'checkpoint'): void {
  if (typeof header.run !== 'object' || header.run === null) {
    throw new RunFolderError(`${folder.path(which)}: records no run (written by a gankit before checkpoints did), so it cannot be checked against config.json; not used`);
  }
  const mine = runFingerprint(config);
  const differs = Object.keys({ ...mine, ...header.run }).filter((k) => canonical(mine[k]) !== canonical(header.run![k]));
  if (differs.length === 0) return;
  const show = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
  throw new RunFolderError(
    `${folder.path(which)}: belongs to another run (${differs.map((k) => `${k}: ${show(header.run![k])} in the checkpoint, ${show(mine[k])} in config.json`).join('; ')})`,
  );
}
