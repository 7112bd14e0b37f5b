/**
 * Pretrained generators, packed and used from the command line: a packed run samples exactly as
 * the run itself (its EMA weights), through `gankit sample --pretrained` and `gankit export
 * --pretrained`; `gankit pretrained` lists what is packed; bad names and mixed flags are one clear
 * error. (The shipped models: pretrained.test.ts.)
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine } from '../src/index.js';
import { openPretrained, packPretrained } from '../src/pretrained/index.js';
import { openRun, readRunConfig } from '../src/runner/run.js';
import { loadCheckpoint } from '../src/runfolder/checkpoint.js';
import { fromHalf, toHalf } from '../src/runfolder/float16.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-pre-'));
const gankit = (env: Record<string, string>, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('pretrained generators: packed, and from the command line', () => {
  before(() => initEngine());

  it('a packed image run (EMA) and a packed 2-D run sample exactly as the runs; listed; exported', async () => {
    const root = tmp();
    const env = { GANKIT_PRETRAINED_DIR: root };
    const runs = tmp();
    const img = join(runs, 'img');
    const pts = join(runs, 'pts');
    let r = gankit({}, 'train', '--data', 'mnist', '--loss', 'ns', '--steps', '4', '--batch', '8', '--eval-samples', '64', '--plot-every', '4', '--ema', '0.9', '--out', img);
    assert.equal(r.status, 0, r.stderr);
    r = gankit({}, 'train', '--steps', '20', '--out', pts);
    assert.equal(r.status, 0, r.stderr);
    for (const [dir, name, withD] of [[img, 'tiny-mnist', true], [pts, 'tiny-ring', false]] as const) {
      const opened = await openRun(dir, readRunConfig(dir), { evaluate: false });
      packPretrained(opened.trainer, { name, description: `test ${name}`, source: dir, discriminator: withD, scores: { fid: 1.5 } }, root);
      opened.task.dispose();
    }
    // Packed with float16 weights: each weight is the run's rounded to the nearest half, the
    // batch-norm statistics exact, the file half the size less the header, and it still samples.
    {
      const opened = await openRun(img, readRunConfig(img), { evaluate: false });
      const halfRoot = tmp();
      packPretrained(opened.trainer, { name: 'tiny-half', description: 'half', source: img, discriminator: true, scores: {} }, halfRoot, { half: true });
      const h = await openPretrained('tiny-half', halfRoot);
      assert.equal(h.info.storage, 'float16');
      opened.trainer.samplingWeights().forEach((v, i) => assert.deepEqual(Array.from(h.trainer.samplingWeights()[i].dataSync()), Array.from(fromHalf(toHalf(v.dataSync() as Float32Array))), `G/${i}`));
      opened.trainer.G.state?.forEach((v, i) => assert.deepEqual(Array.from(h.trainer.G.state![i].dataSync()), Array.from(v.dataSync()), `Gstate/${i}`));
      assert.deepEqual(Array.from(h.trainer.D.variables[0].dataSync()), Array.from(fromHalf(toHalf(opened.trainer.D.variables[0].dataSync() as Float32Array))));
      const x = h.trainer.sample(4);
      assert.ok(x.every(Number.isFinite));
      assert.equal(loadCheckpoint(join(halfRoot, 'tiny-half', 'weights.bin')).verified, true);
      h.task.dispose();
      opened.task.dispose();
    }
    const list = gankit(env, 'pretrained');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^name\s+G steps\s+weights\s+stored\s+N\s+FID$/m);
    assert.match(list.stdout, /^tiny-mnist\s+4\s+ema \+ D\s+float32\s+–\s+1\.50$/m);
    assert.match(list.stdout, /^tiny-ring\s+20\s+generator\s+float32\s+–\s+1\.50$/m);
    assert.match(list.stdout, /^tiny-mnist: test tiny-mnist$/m);
    assert.equal(JSON.parse(gankit(env, 'pretrained', '--json').stdout).models.length, 2);
    // Same samples as the run (images: PNG bytes; 2-D: the CSV).
    const out = tmp();
    // One PNG per sample (grids carry a caption naming their source, which differs).
    r = gankit(env, 'sample', '--pretrained', 'tiny-mnist', '--n', '8', '--out', join(out, 'p'));
    assert.equal(r.status, 0, r.stderr);
    r = gankit({}, 'sample', '--run', img, '--n', '8', '--out', join(out, 'r'));
    assert.equal(r.status, 0, r.stderr);
    const samples = readdirSync(join(out, 'p')).filter((f) => f !== 'grid.png').sort();
    assert.equal(samples.length, 8);
    assert.deepEqual(readdirSync(join(out, 'r')).filter((f) => f !== 'grid.png').sort(), samples);
    for (const f of samples) assert.ok(readFileSync(join(out, 'p', f)).equals(readFileSync(join(out, 'r', f))), `${f}: the pretrained images are the run's (EMA) images`);
    const csvP = gankit(env, 'sample', '--pretrained', 'tiny-ring', '--n', '50');
    const csvR = gankit({}, 'sample', '--run', pts, '--n', '50');
    assert.equal(csvP.status, 0, csvP.stderr);
    assert.ok(csvP.stdout.split('\n').length > 50);
    assert.equal(csvP.stdout, csvR.stdout);
    // The D travels where asked: the packed image model has D's weights.
    const p = await openPretrained('tiny-mnist', root);
    const run = await openRun(img, readRunConfig(img), { evaluate: false });
    assert.deepEqual(Array.from(p.trainer.D.variables[0].dataSync()), Array.from(run.trainer.D.variables[0].dataSync()));
    assert.equal(p.trainer.step, 4);
    p.task.dispose();
    run.task.dispose();
    const ex = gankit(env, 'export', '--pretrained', 'tiny-mnist', '--out', join(out, 'exported'));
    assert.equal(ex.status, 0, ex.stderr);
    assert.match(ex.stderr, /step 4, ema weights, input 64, output \[28, 28, 1\]/);
    assert.equal(JSON.parse(readFileSync(join(out, 'exported', 'gankit.json'), 'utf8')).run, 'pretrained:tiny-mnist');
    // Errors.
    const unknown = gankit(env, 'sample', '--pretrained', 'nope');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^gankit: error: --pretrained: no pretrained model 'nope' \(there are: tiny-mnist, tiny-ring;/m);
    const both = gankit(env, 'sample', '--pretrained', 'tiny-ring', '--run', pts);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give --run DIR or --pretrained NAME, not both/);
    const best = gankit(env, 'sample', '--pretrained', 'tiny-ring', '--best');
    assert.match(best.stderr, /--best is for runs/);
    assert.match(gankit(env, 'export', '--pretrained', 'tiny-ring', '--no-ema', '--out', join(out, 'x')).stderr, /--no-ema is for runs/);
    // A damaged model folder: one clear error naming the file.
    writeFileSync(join(root, 'tiny-ring', 'info.json'), '{ not json');
    const damaged = gankit(env, 'pretrained');
    assert.equal(damaged.status, 2);
    assert.match(damaged.stderr, /^gankit: error: .*tiny-ring\/info\.json: not valid JSON/m);
    assert.match(gankit(env, 'sample').stderr, /sample needs --run DIR or --pretrained NAME/);
  });
});
