/**
 * The config field table is the one description of a run's config: every field of a resolved
 * config has a row, every row a doc line, flags map to rows, defaults depend on the data kind,
 * unknown keys are refused at any depth (the `__proto__` trick included), and a flag sets exactly
 * the field(s) its row names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_FIELDS, resolveConfig, ConfigError, TOY_PROFILE } from '../src/train/config.js';
import { HYPERPARAMETERS, getLoss, LOSS_NAMES } from '../src/losses/index.js';
import { configFlagHelp, configOverridesFromFlags } from '../src/cli/configFlags.js';

/** Dotted paths of the leaves of a config (arrays are leaves). */
function leaves(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return [prefix];
  const entries = Object.entries(obj as Record<string, unknown>);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

const rows = new Set(CONFIG_FIELDS.map((f) => f.path));

describe('config field table', () => {
  const configs = [
    resolveConfig(),
    resolveConfig({ loss: 'wgan', profile: 'paper' }),
    resolveConfig({ loss: 'ns', infogan: {}, data: { name: 'grid25', std: 0.1 } }),
    resolveConfig({ loss: 'dragan', optimizerD: { momentum: 0.5 } }),
    resolveConfig({ loss: 'infogan', data: { name: 'mnist' }, model: { norm: 'layer' } }),
    resolveConfig({ loss: 'cgan', data: { name: 'folder:/x', size: 64, skipUnreadable: true } }),
  ];

  it('every field of a resolved config has a row, and every row a doc line', () => {
    for (const c of configs) for (const path of leaves(c)) assert.ok(rows.has(path), `${path} (${c.loss} on ${c.data.name}) has no row in src/train/fields.ts`);
    for (const f of CONFIG_FIELDS) assert.ok(f.doc.length > 5, `${f.path} has no doc line`);
    for (const h of Object.keys(HYPERPARAMETERS)) assert.ok(rows.has(`hyper.${h}`), `hyper.${h} is not in the config table`);
  });

  it('defaults come per data kind; loss settings only from the preset and the profile', () => {
    const [points, images] = [resolveConfig(), resolveConfig({ data: { name: 'fashion-mnist' } })];
    assert.deepEqual([points.batchSize, points.model.noiseDim, points.model.arch, points.profile], [256, 2, 'mlp', 'toy']);
    assert.deepEqual([images.batchSize, images.model.noiseDim, images.model.arch, images.profile], [64, 64, 'dcgan28', 'paper']);
    assert.equal(images.model.generator, undefined, 'image runs carry no MLP specs');
    for (const loss of LOSS_NAMES) {
      const paper = resolveConfig({ loss, profile: 'paper' });
      const preset = getLoss(loss).preset;
      assert.deepEqual([paper.hyper, paper.optimizerD, paper.optimizerG, paper.nCritic], [preset.hyper, preset.optimizerD, preset.optimizerG, preset.nCritic], `${loss}: paper profile = preset`);
      const toy = resolveConfig({ loss });
      assert.equal(toy.optimizerD.lr, (TOY_PROFILE.optimizerD as { lr: number }).lr);
      const w = getLoss(loss).penaltyWeight;
      const scaled = w ? { [w]: (preset.hyper as Record<string, number>)[w] / 100 } : {};
      assert.deepEqual(toy.hyper, { ...preset.hyper, ...(getLoss(loss).toyProfile?.hyper ?? {}), ...scaled }, `${loss}: toy hyper`);
    }
  });

  it("architectures: infogan takes its paper's lucic28 on Fashion-MNIST and MNIST unless one is asked for; began28 only with BEGAN's autoencoder D", () => {
    assert.equal(resolveConfig({ loss: 'infogan', data: { name: 'fashion-mnist' } }).model.arch, 'lucic28');
    assert.equal(resolveConfig({ loss: 'infogan', data: { name: 'mnist' }, model: { noiseDim: 32 } }).model.arch, 'lucic28');
    const asked = resolveConfig({ loss: 'infogan', data: { name: 'mnist' }, model: { arch: 'dcgan28', noiseDim: 32 } });
    assert.deepEqual([asked.model.arch, asked.model.noiseDim], ['dcgan28', 32]);
    assert.equal(resolveConfig({ loss: 'infogan' }).model.arch, 'mlp');
    assert.equal(resolveConfig({ loss: 'ns', infogan: {}, data: { name: 'mnist' } }).model.arch, 'dcgan28', '--infogan on another loss keeps the default');
    assert.equal(resolveConfig({ loss: 'began', data: { name: 'mnist' }, model: { arch: 'began28' } }).model.arch, 'began28');
    assert.throws(() => resolveConfig({ loss: 'hinge', data: { name: 'mnist' }, model: { arch: 'began28' } }), /model\.arch: began28 is BEGAN's/);
  });

  it('the 2-D penalty rule: every gradient penalty weight is the paper weight / 100 under the toy profile', () => {
    // Every registered loss with a gradient penalty, from the registry: each must name its weight.
    const penalised = LOSS_NAMES.filter((l) => getLoss(l).penalty);
    assert.ok(penalised.length >= 4, `penalised losses: ${penalised.join(', ')}`);
    const toy = (loss: string, extra = {}) => resolveConfig({ loss, ...extra }).hyper as Record<string, number>;
    for (const loss of penalised) {
      const w = getLoss(loss).penaltyWeight;
      assert.ok(w, `${loss} has a penalty but names no penaltyWeight`);
      const paper = (getLoss(loss).preset.hyper as Record<string, number>)[w];
      assert.equal(typeof paper, 'number', `${loss}: penaltyWeight '${w}' is not a number of its preset`);
      assert.equal(toy(loss)[w], paper / 100, `${loss}: ${w} under the toy profile`);
      assert.equal(toy(loss, { hyper: { [w]: paper } })[w], paper, `${loss}: an explicit weight wins`);
      assert.equal(toy(loss, { profile: 'paper' })[w], paper, `${loss}: the paper profile keeps the paper weight`);
      assert.equal((resolveConfig({ loss, data: { name: 'fashion-mnist' } }).hyper as Record<string, number>)[w], paper, `${loss}: images keep the paper weight`);
    }
  });

  const unknown: Array<[unknown, string]> = [
    [{ model: { generator: { widht: 64 } } }, 'model.generator.widht'],
    [{ optimizerD: { learningRate: 1 } }, 'optimizerD.learningRate'],
    [{ data: { nmae: 'ring8' } }, 'data.nmae'],
    [JSON.parse('{"data":{"__proto__":{"radius":50}}}'), 'data.__proto__'],
    [JSON.parse('{"__proto__":{"steps":3}}'), '__proto__'],
    [{ infogan: { categorical: [4], contiuous: 1 } }, 'infogan.contiuous'],
  ];
  for (const [overrides, field] of unknown) {
    it(`refuses the unknown key ${field}, naming it`, () => {
      assert.throws(() => resolveConfig(overrides as Record<string, unknown>), (e: unknown) => e instanceof ConfigError && e.field === field && /unknown config field/.test(e.message));
    });
  }

  it("a hyper-parameter the loss does not read is refused; a loss's own range replaces the table's", () => {
    assert.throws(() => resolveConfig({ loss: 'ns', hyper: { lambda: 3 } }), (e: unknown) => e instanceof ConfigError && e.field === 'hyper.lambda' && /'ns' does not read it \(it reads realLabelSmoothing\)/.test(e.message));
    assert.throws(() => resolveConfig({ loss: 'wgan-gp', hyper: { warmup: true } }), (e: unknown) => e instanceof ConfigError && e.field === 'hyper.warmup');
    assert.equal(resolveConfig({ loss: 'began', hyper: { gamma: 0 } }).hyper.gamma, 0, "BEGAN's γ ∈ [0, 1]");
    assert.throws(() => resolveConfig({ loss: 'r1', hyper: { gamma: 0 } }), (e: unknown) => e instanceof ConfigError && /hyper\.gamma: must be a positive number/.test(e.message));
  });

  it('a flag sets the fields its row names, typed as the row says', () => {
    const o = configOverridesFromFlags({ lr: '0.003', steps: '12', loss: 'ns', infogan: true, 'skip-unreadable': true, size: '64', lambda: '2' });
    assert.deepEqual(o, { loss: 'ns', data: { size: 64, skipUnreadable: true }, steps: 12, infogan: {}, hyper: { lambda: 2 }, optimizerD: { lr: 0.003 }, optimizerG: { lr: 0.003 } });
    assert.throws(() => configOverridesFromFlags({ steps: '1.5' }), /--steps: expected an integer, got '1\.5'/);
    const help = configFlagHelp().join('\n');
    for (const f of CONFIG_FIELDS.filter((x) => x.flag)) assert.ok(help.includes(`--${f.flag!.name}`) && help.includes(f.path), `--${f.flag!.name} [${f.path}] is not in train --help`);
  });
});
