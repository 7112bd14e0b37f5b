/**
 * The playground: the server serves the built page and run folders read-only on 127.0.0.1 only,
 * refusing paths out of its roots; in headless Chromium (Debian's chromium through playwright-core)
 * the page trains ring8 WGAN-GP to ≥ 6/8 modes with a flat tensor count over 500 steps, its
 * weights after N steps equal the CLI's bit for bit (the checksum), the compare view steps two
 * losses together, a share link round-trips, and the images tab shows a pretrained generator.
 * The session module itself (the same code the page bundles) is checked in Node too.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { initEngine, tf } from '../src/index.js';
import { startPlayground } from '../src/playground/server.js';
import { PAGE_LIMITS, PlaygroundSession, replayRows } from '../src/playground/session.js';
import { cliCommand, decodeShare, encodeShare } from '../src/playground/share.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const tmp = () => mkdtempSync(join(tmpdir(), 'gankit-play-'));

/** A raw GET (the path sent as is, no URL normalisation by the client). */
function get(port: number, path: string, host = '127.0.0.1', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Hooks = {
  ready: Promise<void>;
  train(n: number, chunk?: number): Promise<void>;
  checksum(i?: number): string;
  metrics(i?: number): { step: number; modesCovered: number; highQualityShare: number };
  numTensors(): number;
  shareLink(): string;
  configs(): Array<{ loss: string; steps: number; seed: number }>;
  errors(): string[];
};

async function open(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { gankit?: Hooks }).gankit?.ready);
  await page.evaluate(() => (window as unknown as { gankit: Hooks }).gankit.ready);
  assert.deepEqual(errors, [], 'no page errors');
  return page;
}

const hook = <T>(page: Page, f: (g: Hooks, arg: number) => T | Promise<T>, arg = 0): Promise<T> =>
  page.evaluate(([src, a]) => new Function('g', 'a', `return (${src})(g, a)`)((window as unknown as { gankit: Hooks }).gankit, a), [f.toString(), arg] as const) as Promise<T>;

describe('the playground', () => {
  let server: Awaited<ReturnType<typeof startPlayground>>['server'];
  let base = '';
  let port = 0;
  let runs = '';
  let browser: Browser;

  before(async () => {
    await initEngine();
    runs = tmp();
    const r = spawnSync(process.execPath, [BIN, 'train', '--steps', '20', '--native', 'off', '--out', join(runs, 'cli-run')], { encoding: 'utf8', env: { ...process.env, GANKIT_THREADS: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const started = await startPlayground({ port: 0, host: '127.0.0.1', runs });
    server = started.server;
    base = started.url;
    port = (server.address() as { port: number }).port;
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (the README's test command does)`);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('the session in Node: share links round-trip; the CLI line holds the config; D and G steps alone', () => {
    const state = { configs: [{ loss: 'hinge', data: { name: 'moons' }, seed: 3, hyper: {} }, { loss: 'ns', data: { name: 'moons' }, seed: 3 }] };
    assert.deepEqual(decodeShare(`#${encodeShare(state)}`), state);
    assert.equal(decodeShare('#nothing'), null);
    assert.throws(() => decodeShare('#c=bm90IGpzb24'), /not readable/);
    assert.throws(() => decodeShare(`#${encodeShare({ configs: [] })}`), /one or two configs/);
    assert.match(cliCommand({ loss: "it's" }), /printf '%s' '\{"loss":"it'\\''s"\}' > playground\.json && GANKIT_THREADS=1 npx gankit train --config playground\.json --native off/);
    const s = PlaygroundSession.create({ loss: 'wgan-gp', data: { name: 'ring8' }, steps: 30 });
    const before = tf.memory().numTensors;
    s.train(5);
    const d = s.stepD();
    assert.ok(d && Number.isFinite(d.dLoss));
    assert.equal(s.step, 5, 'a D step alone does not count as a step');
    s.stepG();
    assert.equal(s.step, 6);
    const p = s.picture(16);
    assert.equal(p.field.length, 256);
    assert.equal(p.gradNorm?.length, 256, 'penalised loss: the ‖∇D‖ heatmap');
    assert.equal(p.push.length, p.fake.length);
    assert.equal(p.warp.length, 22);
    assert.equal(s.metrics().totalModes, 8);
    assert.equal(tf.memory().numTensors, before, 'pictures and metrics leave no tensors');
    s.dispose();
    assert.throws(() => PlaygroundSession.create({ data: { name: 'mnist' } }), /2-D data/);
  });

  it('the page refuses what would freeze it, naming the limit: a share link with huge networks, batch and n_critic; a step past 2^28 multiply-adds', () => {
    const mlp = { depth: 64, width: 8192, activation: 'relu', layerNorm: false };
    const huge = decodeShare(`#${encodeShare({ configs: [{ loss: 'wgan-gp', batchSize: 65_536, nCritic: 1000, model: { generator: mlp, discriminator: mlp } }] })}`)!;
    assert.throws(() => PlaygroundSession.create(huge.configs[0]), /^Error: model\.generator: 64 hidden layers of width 8192 make 4\.23e\+9 weights; at most 33554432 fit/);
    assert.throws(() => PlaygroundSession.create({ loss: 'wgan-gp', model: { generator: { depth: 2, width: 2048 } } }), new RegExp(`^Error: model\\.generator\\.width: the page trains at most ${PAGE_LIMITS.width}, got 2048 \\(gankit train takes more\\)$`));
    assert.throws(() => PlaygroundSession.create({ loss: 'wgan-gp', nCritic: 1000 }), new RegExp(`^Error: nCritic: the page trains at most ${PAGE_LIMITS.nCritic}, got 1000`));
    assert.throws(() => PlaygroundSession.create({ loss: 'wgan-gp', batchSize: 8192, model: { generator: { depth: 3, width: 256 }, discriminator: { depth: 3, width: 256 } } }), /^Error: batchSize: one step of this config is .* multiply-adds \(\(n_critic \+ 1\) × batch × weights\); the page trains at most 268435456 \(2\^28\) a step/);
    PlaygroundSession.create({ loss: 'wgan-gp', batchSize: 512 }).dispose(); // twice the default batch is fine
    // Depth and batch on their own, each just past its limit with every other measure far inside
    // the rest (tiny networks: no weight or step-work limit is near), and just at it accepted.
    const tiny = { depth: 1, width: 8 };
    for (const [field, value, config] of [
      ['model.generator.depth', PAGE_LIMITS.depth + 1, { model: { generator: { depth: PAGE_LIMITS.depth + 1, width: 8 }, discriminator: tiny } }],
      ['model.discriminator.depth', PAGE_LIMITS.depth + 1, { model: { generator: tiny, discriminator: { depth: PAGE_LIMITS.depth + 1, width: 8 } } }],
      ['batchSize', PAGE_LIMITS.batchSize + 1, { batchSize: PAGE_LIMITS.batchSize + 1, model: { generator: tiny, discriminator: tiny } }],
    ] as const) {
      assert.throws(() => PlaygroundSession.create({ loss: 'wgan-gp', ...config }), new RegExp(`^Error: ${field.replace(/[.]/g, '[.]')}: the page trains at most ${value - 1}, got ${value} \\(gankit train takes more\\)$`));
    }
    PlaygroundSession.create({ loss: 'wgan-gp', batchSize: PAGE_LIMITS.batchSize, model: { generator: { depth: PAGE_LIMITS.depth, width: 8 }, discriminator: { depth: PAGE_LIMITS.depth, width: 8 } } }).dispose();
    // A replayed run: the page takes a served config.json, drops its compute (web/src/replay.ts) and
    // builds its session here. The CLI run's own config is taken; the same run past a limit is refused.
    const { compute: _compute, ...replayed } = JSON.parse(readFileSync(join(runs, 'cli-run', 'config.json'), 'utf8')) as Record<string, unknown>;
    void _compute;
    PlaygroundSession.create(replayed).dispose();
    const deep = { ...replayed, model: { ...(replayed.model as object), generator: { ...(replayed.model as { generator: object }).generator, depth: PAGE_LIMITS.depth + 1 } } };
    assert.throws(() => PlaygroundSession.create(deep), new RegExp(`^Error: model[.]generator[.]depth: the page trains at most ${PAGE_LIMITS.depth}, got ${PAGE_LIMITS.depth + 1}`));
    assert.throws(() => PlaygroundSession.create({ ...replayed, batchSize: 65_536 }), /^Error: batchSize: the page trains at most 8192, got 65536/);
    // A live run's metrics.jsonl ends in a row being written: the replay drops it, as every reader does.
    assert.deepEqual(replayRows('{"step":5}\n{"step":10}\n{"step":15,"dLo', 'm').map((r) => r.step), [5, 10]);
  });

  it('the server: the page, no listing, no path out of its roots, run folders read-only, 127.0.0.1 only', async () => {
    assert.equal((await get(port, '/')).status, 200);
    assert.match((await get(port, '/')).body, /gankit playground/);
    assert.equal((await get(port, '/app.js')).status, 200);
    for (const bad of ['/../package.json', '/%2e%2e/package.json', '/wasm/../../package.json', '/runs/../package.json', '/runs/cli-run/../../x', '/a%00b', '/..%5c..%5cpackage.json']) {
      const r = await get(port, bad);
      assert.ok(r.status === 400 || r.status === 404, `${bad}: ${r.status}`);
      assert.doesNotMatch(r.body, /"name": "gankit"/);
    }
    assert.equal((await get(port, '/wasm/')).status, 404, 'no directory listing');
    const index = JSON.parse((await get(port, '/runs/index.json')).body);
    assert.equal(index[0].name, 'cli-run');
    assert.match(index[0].weightsChecksum, /^[0-9a-f]{8}$/);
    assert.equal((await get(port, '/runs/cli-run/config.json')).status, 200);
    assert.equal((await get(port, '/runs/cli-run/metrics.jsonl')).status, 200);
    assert.equal((await get(port, '/runs/cli-run/checkpoint.bin')).status, 404, 'checkpoints are not served');
    assert.equal((await get(port, '/runs/cli-run/samples/step-000020.png')).status, 200);
    // Only gankit runs, never hidden folders, never a link out of the file named.
    mkdirSync(join(runs, '.docker'));
    writeFileSync(join(runs, '.docker', 'config.json'), '{"auths": {"x": "secret"}}');
    mkdirSync(join(runs, 'not-a-run'));
    writeFileSync(join(runs, 'not-a-run', 'config.json'), '{"auths": {}}');
    symlinkSync(join(runs, 'cli-run', 'checkpoint.bin'), join(runs, 'cli-run', 'samples', 'link.png'));
    // A hard link is the checkpoint under a picture's name; a config.json linked to a file elsewhere is that file.
    linkSync(join(runs, 'cli-run', 'checkpoint.bin'), join(runs, 'cli-run', 'samples', 'hard.png'));
    const outside = join(tmp(), 'secret.json');
    writeFileSync(outside, JSON.stringify({ loss: 'ns', data: { name: 'ring8' }, steps: 1, secret: 'x' }));
    mkdirSync(join(runs, 'linked'));
    symlinkSync(outside, join(runs, 'linked', 'config.json'));
    for (const path of ['/runs/.docker/config.json', '/runs/not-a-run/config.json', '/runs/cli-run/samples/link.png', '/runs/cli-run/samples/hard.png', '/runs/linked/config.json']) assert.equal((await get(port, path)).status, 404, path);
    assert.deepEqual(JSON.parse((await get(port, '/runs/index.json')).body).map((r: { name: string }) => r.name), ['cli-run']);
    // DNS rebinding: another host name is refused.
    assert.equal((await get(port, '/', '127.0.0.1', { host: `evil.example:${port}` })).status, 421);
    assert.equal((await get(port, '/', '127.0.0.1', { host: `localhost:${port}` })).status, 200);
    assert.equal(server.address() && (server.address() as { address: string }).address, '127.0.0.1');
    // Not reachable on this machine's other addresses.
    const others = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4');
    for (const a of others) {
      const reached = await new Promise<boolean>((resolve) => {
        const sock = connect({ host: a!.address, port }, () => (sock.destroy(), resolve(true)));
        sock.on('error', () => resolve(false));
        sock.setTimeout(2000, () => (sock.destroy(), resolve(false)));
      });
      assert.equal(reached, false, `reachable on ${a!.address}`);
    }
  });

  // The CLI's run of this config (seed 1, wgan-gp's defaults) covers 8/8 modes from step 200 on; its
  // share of samples within 3σ of a mode grows from 0.2–1.6 % (steps 50–200) to 29–30 % at step 600,
  // on native and on wasm kernels alike.
  it('in Chromium: ring8 WGAN-GP reaches ≥ 6/8 modes and ≥ 15 % high-quality samples by step 600; the tensor count stays flat over 500 steps', async () => {
    const page = await open(browser, `${base}#${encodeShare({ configs: [{ loss: 'wgan-gp', data: { name: 'ring8' }, seed: 1, steps: 600 }] })}`);
    await hook(page, (g) => g.train(100));
    const start = await hook(page, (g) => g.numTensors());
    await hook(page, (g) => g.train(500));
    const m = await hook(page, (g) => g.metrics());
    assert.equal(m.step, 600);
    assert.ok(m.modesCovered >= 6, `${m.modesCovered}/8 modes at step 600`);
    assert.ok(m.highQualityShare >= 0.15, `${m.highQualityShare} of the samples within 3σ of a mode at step 600`);
    assert.equal(await hook(page, (g) => g.numTensors()), start, 'tensor count after 500 more steps (pictures drawn every chunk)');
    await page.close();
  });

  // Against the page's tfjs-cpu, the parity suite's reference: on this config tfjs-wasm itself differs
  // from tfjs-cpu by up to 4e-3 in G's loss after one step (Adam's first update is ±lr per weight,
  // and a gradient component near 0 takes either sign), while webgpu and tfjs-cpu agree to ~1e-7.
  it('in Chromium with WebGPU (SwiftShader here): the steps run on the device; 3 steps\' losses and gradient norms equal tfjs-cpu\'s to 1e-4', async () => {
    const { chromium } = await import('playwright-core');
    const gpu = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking'] });
    try {
      // Small and n_critic 1: SwiftShader emulates the GPU on the CPU.
      const page = await open(gpu, `${base}#${encodeShare({ configs: [{ loss: 'wgan-gp', data: { name: 'ring8' }, seed: 1, batchSize: 32, nCritic: 1, steps: 3 }] })}`);
      type Step = { step: number; dLoss: number; gLoss: number; gradNormD: number; gradNormG: number };
      const run = async (backend: string) => {
        const engine = await page.evaluate((b) => (window as unknown as { gankit: { useBackend(b: string): Promise<string> } }).gankit.useBackend(b), backend);
        const before = await hook(page, (g) => g.numTensors());
        await hook(page, (g) => g.train(3, 1));
        return { engine, m: (await hook(page, (g) => g.metrics())) as unknown as Step, grew: (await hook(page, (g) => g.numTensors())) - before };
      };
      const cpu = await run('cpu');
      const onGpu = await run('webgpu');
      assert.match(onGpu.engine, /steps on webgpu \(.*swiftshader.*\), pictures on wasm/i);
      assert.equal(onGpu.m.step, 3);
      for (const k of ['dLoss', 'gLoss', 'gradNormD', 'gradNormG'] as const) {
        assert.ok(Math.abs(onGpu.m[k] - cpu.m[k]) <= 1e-4 * Math.abs(cpu.m[k]), `${k}: webgpu ${onGpu.m[k]}, cpu ${cpu.m[k]}`);
      }
      assert.equal(onGpu.grew, cpu.grew, 'the same tensors kept on either backend');
      assert.deepEqual(await hook(page, (g) => g.errors()), ['']);
      await page.close();
    } finally {
      await gpu.close();
    }
  });

  it('in Chromium: the weights after N steps equal the CLI\'s bit for bit (checksum)', async () => {
    const config = { loss: 'ns', data: { name: 'grid25' }, seed: 4, steps: 120 };
    const page = await open(browser, `${base}#${encodeShare({ configs: [config] })}`);
    await hook(page, (g) => g.train(120));
    const inPage = await hook(page, (g) => g.checksum());
    const dir = tmp();
    writeFileSync(join(dir, 'c.json'), JSON.stringify(config));
    const r = spawnSync(process.execPath, [BIN, 'train', '--config', join(dir, 'c.json'), '--native', 'off', '--out', join(dir, 'run')], { encoding: 'utf8', env: { ...process.env, GANKIT_THREADS: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const cli = /weights checksum ([0-9a-f]{8})/.exec(r.stdout)?.[1];
    assert.equal(inPage, cli, 'page and CLI weights');
    assert.equal(JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8')).weightsChecksum, cli);
    await page.close();
  });

  it('in Chromium: points drawn by hand and an uploaded CSV train; the CLI line writes them to the file the config names', async () => {
    const page = await open(browser, base);
    await page.selectOption('#data', 'draw');
    assert.match((await hook(page, (g) => g.errors()))[0], /draw some points/);
    const box = (await page.locator('.session canvas').first().boundingBox())!;
    for (const [fx, fy] of [[0.3, 0.3], [0.7, 0.3], [0.5, 0.7], [0.3, 0.7]]) await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
    assert.deepEqual(await hook(page, (g) => g.errors()), ['']);
    await hook(page, (g) => g.train(10));
    const c = (await hook(page, (g) => g.configs()))[0] as unknown as { data: { name: string } };
    assert.equal(c.data.name, 'csv:playground-points.csv');
    const line = await page.evaluate(() => (window as unknown as { gankit: { cliLine(i: number): string } }).gankit.cliLine(0));
    assert.match(line, /^printf '%s\\n' '[-0-9.]+,[-0-9.]+\n[\s\S]*' > playground-points\.csv && printf '%s' '\{[^']*"csv:playground-points\.csv"/);
    // A share link carries the points.
    const state = decodeShare(await hook(page, (g) => g.shareLink()));
    assert.equal(state!.points!.length, 32, '4 clicks × 4 points × 2 coordinates');
    await page.selectOption('#data', 'csv');
    await page.setInputFiles('#csv', { name: 'mine.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y\n0,0\n1,1\n2,0\n') });
    await page.waitForFunction(() => (window as unknown as { gankit: { sessions(): Array<{ data: { description: string } } | null> } }).gankit.sessions()[0]?.data.description.includes('2000 points'));
    await hook(page, (g) => g.train(5));
    assert.equal((await hook(page, (g) => g.metrics())).step, 5);
    await page.close();
  });

  it('in Chromium: a CLI run under --runs is replayed: its config, its curves, and the same checksum at its last step', async () => {
    // The run is live: its last row is being written (the replay drops it, as the README says readers do).
    appendFileSync(join(runs, 'cli-run', 'metrics.jsonl'), '{"step": 25, "dLo');
    const page = await open(browser, base);
    assert.equal(await page.locator('#runs-label').isVisible(), true, 'the runs list is shown');
    await page.evaluate(() => (window as unknown as { gankit: { replay(n: string): Promise<void> } }).gankit.replay('cli-run'));
    assert.equal((await hook(page, (g) => g.configs()))[0].steps, 20);
    await hook(page, (g) => g.train(20));
    const readout = await page.evaluate(() => (window as unknown as { gankit: { readout(): string } }).gankit.readout());
    assert.match(readout, /CLI run cli-run: ([0-9a-f]{8}) after 20 steps — equal/);
    assert.deepEqual(await hook(page, (g) => g.errors()), [''], 'no error in the session');
    await page.close();
  });

  it('in Chromium: compare steps two losses together; the share link round-trips; the images tab shows a pretrained generator', async () => {
    const state = { configs: [{ loss: 'wgan-gp', data: { name: 'spiral' }, seed: 2 }, { loss: 'lsgan', data: { name: 'spiral' }, seed: 2 }] };
    const page = await open(browser, `${base}#${encodeShare(state)}`);
    await hook(page, (g) => g.train(60));
    const steps = await page.evaluate(() => (window as unknown as { gankit: { sessions(): Array<{ step: number } | null> } }).gankit.sessions().map((s) => s?.step));
    assert.deepEqual(steps, [60, 60]);
    assert.deepEqual((await hook(page, (g) => g.configs())).map((c) => c.loss), ['wgan-gp', 'lsgan']);
    assert.equal(await page.locator('#compare').isChecked(), true);
    const link = await hook(page, (g) => g.shareLink());
    assert.deepEqual(decodeShare(link), state);
    const again = await open(browser, `${base}#${link}`);
    assert.deepEqual((await hook(again, (g) => g.configs())).map((c) => [c.loss, c.seed]), [['wgan-gp', 2], ['lsgan', 2]]);
    await again.close();
    await page.click('nav .tab[data-tab=images]');
    const shown = await page.evaluate(() => (window as unknown as { gankitImages: { loadPretrained(n: string): Promise<{ tiles: number; meta: { data: string } }> } }).gankitImages.loadPretrained('fashion-mnist-ns'));
    assert.ok(shown.tiles >= 2, `${shown.tiles} image panels`);
    assert.equal(shown.meta.data, 'fashion-mnist');
    // A few steps of the page's own MNIST training (the library's image trainer in the page).
    const before = await hook(page, (g) => g.numTensors());
    const step = await page.evaluate(() => (window as unknown as { gankitImages: { trainMnist(n: number): Promise<number> } }).gankitImages.trainMnist(3));
    assert.equal(step, 3);
    assert.match(await page.locator('#mnist-view figcaption').innerText(), /step 3\/3/);
    assert.equal(await hook(page, (g) => g.numTensors()), before, 'the MNIST trainer is disposed');
    await page.close();
  });
});
