/** `gankit sample`: draw from a trained run; what is written (CSV, a scatter, an image grid) is the data kind's. */
import { dirname, join, relative } from 'node:path';
import { ConfigError, InputError } from '../../errors.js';
import { statSync, writeFileSync } from 'node:fs';
import { makeFolder, replaceFolder, writeFileAtomic, writeErrorOf } from '../../io/atomic.js';
import { num, parse, UsageError } from '../args.js';
import { withRunOrPretrained } from '../checkpointed.js';
import type { Command } from '../command.js';

/** Atomically, unless `--out` is a pipe or a device (/dev/stdout), which takes a plain write. */
function write(path: string, data: Buffer | string): void {
  let special = false;
  try {
    const st = statSync(path);
    special = st.isFIFO() || st.isCharacterDevice() || st.isSocket();
  } catch {
    // a new file
  }
  try {
    if (special) writeFileSync(path, data);
    else {
      makeFolder(dirname(path));
      writeFileAtomic(path, data);
    }
  } catch (e) {
    throw new InputError(`--out: ${writeErrorOf(path, e).message}`);
  }
}

/** A file `gankit sample --out FOLDER` writes: NNNNNN.png or grid.png. */
const SAMPLE_FILE = /^(\d{6,}|grid)\.png$/;

/**
 * One PNG per sample as a whole folder: it replaces earlier samples there (never leaving stale ones
 * beside fewer new ones, which `eval --images` would score), and refuses a folder holding anything else.
 */
async function writeSampleFolder(out: string, files: Array<[string, Buffer | string]>): Promise<void> {
  await replaceFolder(
    out,
    (staging) => {
      for (const [path, data] of files) writeFileAtomic(join(staging, relative(out, path)), data);
    },
    (entries) => entries.every((e) => SAMPLE_FILE.test(e)),
    () => new InputError(`--out: ${out}: holds other files than gankit samples (NNNNNN.png, grid.png); choose a new or empty folder, or earlier samples to replace`),
  ).catch((e: unknown) => {
    throw e instanceof InputError ? (e.message.startsWith('--out') ? e : new InputError(`--out: ${e.message}`)) : e;
  });
}

export const sample: Command = {
  name: 'sample',
  summary: 'draw samples from a trained run (CSV or PNG)',
  help: () => `Usage: gankit sample (--run DIR | --pretrained NAME) [--n N] [--seed N] [--csv | --png] [--class K] [--no-ema] [--best] [--out FILE]

Draws n samples from the run's latest checkpoint. 2-D runs (n default 1000): CSV (x,y per line)
goes to stdout unless --out is given; --png writes a picture of the samples over the data and
D's field. Image runs (n default 64): a PNG grid; --class K asks a conditional run for class K.
Pictures go to DIR/sample.png unless --out is given. Image runs with --out FOLDER (a path not
ending in .png): one PNG per sample (000000.png, …, up to 50000, for pytorch-fid or clean-fid)
and the first 64 as FOLDER/grid.png, written as a whole: they replace earlier samples there, and a
folder holding other files is refused. A run with a generator EMA (the default for images) samples
with the EMA weights; --no-ema uses G's own. --best samples from DIR/best.bin, the checkpoint with
the lowest FID an image run measured, instead of the latest. --pretrained NAME samples from a
shipped model (gankit pretrained lists them); its pictures go to ./sample.png unless --out is given.`,

  async run(argv) {
    const values = parse(argv, { run: { type: 'string' }, pretrained: { type: 'string' }, n: { type: 'string' }, seed: { type: 'string' }, csv: { type: 'boolean' }, png: { type: 'boolean' }, out: { type: 'string' }, class: { type: 'string' }, 'no-ema': { type: 'boolean' }, best: { type: 'boolean' } });
    if (values.csv && values.png) throw new UsageError('choose one of --csv and --png');
    const seed = num(values, 'seed', true) ?? 0;
    const n = num(values, 'n', true);
    if (n !== undefined && n <= 0) throw new ConfigError('--n', `must be a positive integer, got ${n}`);
    return withRunOrPretrained(values, 'sample', async ({ task, trainer, dir, source }) => {
      trainer.useEma = !values['no-ema'];
      const cls = num(values, 'class', true);
      if (cls !== undefined && (trainer.classes === 0 || cls < 0 || cls >= trainer.classes)) {
        throw new ConfigError('--class', trainer.classes === 0 ? 'this run is not conditional (train with --loss cgan or acgan)' : `must be in 0..${trainer.classes - 1}, got ${cls}`);
      }
      const folder = typeof values.out === 'string' && task.maxFolderSamples !== undefined && !/\.png$/i.test(values.out);
      const max = folder ? task.maxFolderSamples! : task.maxSamples;
      if (n !== undefined && n > max) throw new ConfigError('--n', `must be at most ${max} for this run${folder ? ' (one PNG each)' : ''}, got ${n}`);
      const output = task.sample({ n, seed, classIndex: cls, format: values.csv ? 'csv' : values.png ? 'png' : undefined, out: typeof values.out === 'string' ? values.out : undefined, runDir: dir, source });
      if (folder) await writeSampleFolder(values.out as string, output.files);
      else for (const [path, data] of output.files) write(path, data);
      if (output.stdout) process.stdout.write(output.stdout);
      if (output.message) console.error(`gankit: ${output.message}`);
      return 0;
    });
  },
};
