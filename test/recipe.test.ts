/**
 * CONTRIBUTING's recipe "add a loss with a new hyper-parameter", walked: a family function and one
 * registry entry from a fixture (test/fixtures/temperedLoss.ts) are registered, and with no other
 * edit the hyper-parameter has its `gankit train` flag and help line, is validated by its own row,
 * has its row in docs/losses.md, and `gankit train --temperature …` trains 20 steps with it.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initEngine, registerLoss, resolveConfig, ConfigError, lossesMarkdown, RunFolder } from '../src/index.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { configFlagOptions, configOverridesFromFlags } from '../src/cli/configFlags.js';
import { TEMPERED, temperedLosses } from './fixtures/temperedLoss.js';

const train = COMMANDS.find((c) => c.name === 'train')!;

describe('the recipe: a loss with a new hyper-parameter is a family function and one registry entry', () => {
  before(async () => {
    await initEngine();
    registerLoss(TEMPERED);
  });

  it('the family function: τ = 1 is the non-saturating GAN, τ = 2 halves the logits', () => {
    const [real, fake] = [tf.tensor([2, -1]), tf.tensor([0, 4])];
    const softplus = (v: number) => Math.log1p(Math.exp(v));
    const one = temperedLosses(real, fake, 1);
    assert.ok(Math.abs(one.d.dataSync()[0] - ((softplus(-2) + softplus(1)) / 2 + (softplus(0) + softplus(4)) / 2)) < 1e-5);
    const two = temperedLosses(real, fake, 2);
    assert.ok(Math.abs(two.g.dataSync()[0] - (softplus(0) + softplus(-2)) / 2) < 1e-5);
    tf.dispose([real, fake, one.d, one.g, two.d, two.g]);
  });

  it('its flag and help line', () => {
    assert.deepEqual(configFlagOptions().temperature, { type: 'string' });
    assert.deepEqual(configOverridesFromFlags({ temperature: '0.5' }), { hyper: { temperature: 0.5 } });
    assert.match(train.help(), /^\s+--temperature X\s+the temperature τ that D's logits are divided by \(default: the loss's preset\)\s+\[hyper\.temperature\]$/m);
  });

  it('validation by its own row: a bad value names the field; another loss does not read it', () => {
    assert.equal((resolveConfig({ loss: 'ns-tempered' }).hyper as Record<string, unknown>).temperature, 1, 'the preset');
    assert.throws(() => resolveConfig({ loss: 'ns-tempered', hyper: { temperature: -1 } }), (e: unknown) => e instanceof ConfigError && e.field === 'hyper.temperature' && /must be a positive number/.test(e.message));
    assert.throws(() => resolveConfig({ loss: 'ns', hyper: { temperature: 2 } }), (e: unknown) => e instanceof ConfigError && e.field === 'hyper.temperature');
  });

  it('its rows in docs/losses.md', () => {
    const md = lossesMarkdown();
    assert.match(md, /^\| `ns-tempered` \| a recipe fixture \|/m);
    assert.match(md, /^\| `temperature` \| a positive number \| ns-tempered 1 \| the temperature τ that D's logits are divided by \|$/m);
    assert.match(md, /`--temperature` on the command line/);
  });

  it('gankit train --loss ns-tempered --temperature 0.5 trains 20 steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gankit-recipe-'));
    const config = join(dir, 'run.json');
    const small = { steps: 20, batchSize: 32, logEvery: 5, plotEvery: 10, checkpointEvery: 10, evalSamples: 200 };
    const nets = { noiseDim: 2, generator: { depth: 2, width: 16, activation: 'relu', layerNorm: false }, discriminator: { depth: 2, width: 16, activation: 'relu', layerNorm: false } };
    writeFileSync(config, JSON.stringify({ ...small, model: nets }));
    const log = console.log;
    console.log = () => {};
    try {
      assert.equal(await train.run(['--config', config, '--loss', 'ns-tempered', '--temperature', '0.5', '--out', join(dir, 'run'), '--quiet']), 0);
    } finally {
      console.log = log;
    }
    const folder = new RunFolder(join(dir, 'run'));
    assert.equal(folder.readSummary()?.status, 'finished');
    assert.equal((folder.readConfig().hyper as Record<string, unknown>).temperature, 0.5);
    assert.deepEqual(folder.readMetrics().map((r) => r.step), [5, 10, 15, 20]);
    assert.ok(folder.readMetrics().every((r) => Number.isFinite(r.dLoss) && Number.isFinite(r.gLoss)));
  });
});
