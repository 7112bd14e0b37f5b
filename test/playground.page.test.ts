/**
 * The page as a person meets it, in headless Chromium: training runs in a worker, so pause acts
 * within 100 ms at any speed and the page keeps painting frames while it trains; the tensor count
 * stays flat while running; the images tab paints its progress at least every second, stops at
 * once and offers the trained generator as an export; every view fits a 390 px phone; the
 * settings form sets the config (and "lr" works in the JSON as on the CLI); a failed build greys
 * the stale picture out; charts say "press run" until there is something to draw.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startPlayground } from '../src/playground/server.js';
import { encodeShare } from '../src/playground/share.js';

const CHROMIUM = '/usr/bin/chromium';

type Win = {
  gankit: {
    ready: Promise<void>;
    train(n: number, chunk?: number): Promise<void>;
    numTensors(): Promise<number>;
    configs(): Promise<Array<{ optimizerD: { lr: number }; optimizerG: { lr: number }; steps: number }>>;
    errors(): Promise<string[]>;
    sessions(): Array<{ step: number } | null>;
    setTab(name: string): void;
  };
  gankitImages: { trainMnist(n: number, batch?: number): Promise<number>; loadPretrained(name: string): Promise<{ tiles: number }> };
};

async function open(browser: Browser, url: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as Partial<Win>).gankit?.ready);
  await page.evaluate(() => (window as unknown as Win).gankit.ready);
  assert.deepEqual(errors, [], 'no page errors');
  return page;
}

/** Clicks run (pause) and waits until the worker says it stopped: milliseconds from the click. */
const pauseLatency = (page: Page) =>
  page.evaluate(async () => {
    const t0 = performance.now();
    document.getElementById('run')!.click();
    await new Promise<void>((resolve) => {
      if (document.body.dataset.training === 'off') return resolve();
      const o = new MutationObserver(() => document.body.dataset.training === 'off' && (o.disconnect(), resolve()));
      o.observe(document.body, { attributes: true });
    });
    return performance.now() - t0;
  });

/** Animation frames the page paints in `ms`, and the longest gap between two. */
const framesIn = (page: Page, ms: number) =>
  page.evaluate(
    (ms) =>
      new Promise<{ fps: number; longest: number }>((resolve) => {
        const times: number[] = [];
        const t0 = performance.now();
        const step = (t: number) => {
          times.push(t);
          if (t - t0 < ms) requestAnimationFrame(step);
          else resolve({ fps: (1000 * (times.length - 1)) / (times[times.length - 1] - times[0]), longest: Math.max(...times.slice(1).map((v, i) => v - times[i])) });
        };
        requestAnimationFrame(step);
      }),
    ms,
  );

const fits = (page: Page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));

describe('the playground page', () => {
  let server: Awaited<ReturnType<typeof startPlayground>>['server'];
  let base = '';
  let browser: Browser;

  before(async () => {
    const started = await startPlayground({ port: 0, host: '127.0.0.1' });
    server = started.server;
    base = started.url;
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (the README's test command does)`);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('2-D: pause acts within 100 ms at the slowest and the fastest speed; frames keep coming while it trains; the tensor count stays flat', async () => {
    const page = await open(browser, `${base}#${encodeShare({ configs: [{ loss: 'wgan-gp', data: { name: 'ring8' }, seed: 1, steps: 100000 }] })}`);
    const g = (f: (w: Win) => unknown) => page.evaluate(`(${f.toString()})(window)`);
    await g((w) => w.gankit.train(20));
    const latencies: number[] = [];
    let tensors: number[] = [];
    for (const speed of ['1', '50']) {
      await page.evaluate((v) => {
        const input = document.getElementById('speed') as HTMLInputElement;
        input.value = v;
        input.dispatchEvent(new Event('input'));
      }, speed);
      for (let k = 0; k < 3; k++) {
        await page.click('#run');
        const frames = await framesIn(page, 1500);
        console.log(`# speed ${speed}: ${frames.fps.toFixed(1)} frames/s while training, longest gap ${frames.longest.toFixed(0)} ms`);
        // A frozen tab paints nothing for seconds (the page trained on its own thread before: gaps of
        // 42–61 s). The bound is what a loaded 2-core CI machine keeps (16 frames/s measured with
        // two benchmark trials beside the suite), not a frame-rate goal.
        assert.ok(frames.fps >= 8 && frames.longest < 1000, `${frames.fps.toFixed(1)} frames/s while training at speed ${speed}, longest gap ${frames.longest.toFixed(0)} ms`);
        latencies.push(await pauseLatency(page));
        tensors.push((await g((w) => w.gankit.numTensors())) as number);
      }
    }
    console.log(`# pause latency (ms): ${latencies.map((l) => l.toFixed(0)).join(', ')}`);
    // The worker reads its messages after every step, metric row and picture, so a pause waits for
    // at most one of them (a ring8 WGAN-GP step is ~10 ms on an idle core). On a machine loaded far
    // past its cores a step alone can take longer: the median is held to 100 ms, every pause to 1 s.
    const sorted = [...latencies].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    assert.ok(median < 100, `pause latencies ${latencies.map((l) => l.toFixed(0)).join(', ')} ms: median ${median.toFixed(0)}`);
    assert.ok(sorted[sorted.length - 1] < 1000, `pause latencies ${latencies.map((l) => l.toFixed(0)).join(', ')} ms`);
    const steps = ((await g((w) => w.gankit.sessions())) as Array<{ step: number }>)[0].step;
    assert.ok(steps > 20, `it trained (${steps} steps)`);
    tensors = [...new Set(tensors)];
    assert.equal(tensors.length, 1, `tensor count after each pause: ${tensors.join(', ')}`);
    await page.close();
  });

  it('images: progress painted at least every second; stop acts at once on the page; the trained generator is offered as an export and can be viewed', async () => {
    const page = await open(browser, base);
    await page.evaluate(() => (window as unknown as Win).gankit.setTab('images'));
    await page.evaluate(() => (window as unknown as Win).gankitImages.loadPretrained('fashion-mnist-ns'));
    const before = await page.evaluate(() => (window as unknown as Win).gankit.numTensors());
    const gaps = await page.evaluate(async () => {
      const w = window as unknown as Win;
      const box = document.getElementById('mnist-progress')!;
      const paints: number[] = [];
      const o = new MutationObserver(() => paints.push(performance.now()));
      o.observe(box, { childList: true, characterData: true, subtree: true });
      const done = w.gankitImages.trainMnist(1000);
      const t0 = performance.now();
      let frames = 0;
      await new Promise<void>((resolve) => {
        const step = (t: number) => {
          frames++;
          if (t - t0 < 3000) requestAnimationFrame(step);
          else resolve();
        };
        requestAnimationFrame(step);
      });
      // Stop: the button changes at once, before the worker has finished its step.
      const s0 = performance.now();
      document.getElementById('train-mnist')!.click();
      const button = document.getElementById('train-mnist')!.textContent;
      const onPage = performance.now() - s0;
      const steps = await done;
      const ack = performance.now() - s0;
      o.disconnect();
      const gaps = paints.filter((t) => t < s0).map((t, i, a) => (i ? t - a[i - 1] : t - t0));
      return { longest: Math.max(...gaps), fps: (1000 * frames) / 3000, onPage, ack, button, steps };
    });
    console.log(`# images: progress painted every ≤ ${gaps.longest.toFixed(0)} ms, ${gaps.fps.toFixed(1)} frames/s while training; stop: ${gaps.onPage.toFixed(1)} ms on the page, ${gaps.ack.toFixed(0)} ms until the worker ended its step (${gaps.steps} steps)`);
    assert.ok(gaps.longest <= 1000, `longest gap between progress paints ${gaps.longest} ms`);
    assert.ok(gaps.fps >= 8, `${gaps.fps} frames/s while training images`);
    assert.ok(gaps.onPage < 100, `stop on the page: ${gaps.onPage} ms`);
    assert.equal(gaps.button, 'stopping…');
    assert.ok(gaps.steps < 1000, 'it stopped');
    // This browser offers navigator.gpu but no adapter (no --enable-unsafe-webgpu): the GPU, picked by
    // default, gives way to the page's backend and the line says why.
    assert.deepEqual(await page.locator('#mnist-device option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['gpu', 'page']);
    assert.match((await page.locator('#mnist-progress').textContent())!, /^stopped after \d+ steps on wasm \(WebGPU could not start: backend 'webgpu': no WebGPU adapter\)$/);
    const links = await page.locator('#mnist-export a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).download));
    assert.deepEqual(links, ['model.json', 'weights.bin', 'gankit.json']);
    assert.equal(await page.evaluate(() => (window as unknown as Win).gankit.numTensors()), before, 'the image trainer is disposed');
    await page.click('#mnist-export button');
    await page.waitForFunction(() => document.querySelector('#image-views p')?.textContent?.startsWith('trained here'));
    await page.close();
  });

  it("images on this browser's GPU: with WebGPU (SwiftShader here) the steps run there, the line says so, and the trained generator is exported", async () => {
    // A second browser with WebGPU on; SwiftShader computes on the CPU, so one step at batch 2.
    const { chromium } = await import('playwright-core');
    const gpu = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update'] });
    try {
      const page = await open(gpu, base);
      await page.evaluate(() => (window as unknown as Win).gankit.setTab('images'));
      await page.selectOption('#mnist-preset', 'mnist');
      assert.equal(await page.locator('#mnist-device').inputValue(), 'gpu', 'the GPU is the default where the browser has WebGPU');
      const before = await page.evaluate(() => (window as unknown as Win).gankit.numTensors());
      assert.equal(await page.evaluate(() => (window as unknown as Win).gankitImages.trainMnist(1, 2)), 1);
      assert.match((await page.locator('#mnist-progress').textContent())!, /^done after 1 steps on WebGPU on .*swiftshader/i);
      const links = await page.locator('#mnist-export a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).download));
      assert.deepEqual(links, ['model.json', 'weights.bin', 'gankit.json']);
      assert.equal(await page.evaluate(() => (window as unknown as Win).gankit.numTensors()), before, 'the image trainer is disposed');
      await page.close();
    } finally {
      await gpu.close();
    }
  });

  it('every view fits a 390 px phone: 2-D, compare, settings, the images tab with a model and with a run', async () => {
    const page = await open(browser, base, { width: 390, height: 844 });
    const check = async (view: string) => {
      const f = await fits(page);
      assert.ok(f.scroll <= f.inner, `${view}: scrollWidth ${f.scroll} > innerWidth ${f.inner}`);
    };
    await check('2-D');
    await page.click('.session details.settings summary');
    await page.click('.session details.advanced summary');
    await check('2-D with the settings open');
    await page.click('#compare');
    await page.waitForFunction(() => document.querySelectorAll('.session').length === 2);
    await page.evaluate(() => (window as unknown as Win).gankit.train(10));
    await check('compare');
    const [a, b] = await page.locator('.session').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    assert.equal(a, b, 'compare shows A and B side by side');
    await page.click('nav .tab[data-tab=images]');
    await check('images');
    await page.evaluate(() => (window as unknown as Win).gankitImages.loadPretrained('fashion-mnist-cgan'));
    await check('images with a model');
    await page.evaluate(() => (window as unknown as Win).gankitImages.trainMnist(1));
    await check('images after a run');
    await page.close();
  });

  it('settings: the form sets the config; "lr" in the JSON sets both learning rates; a bad value names its field and greys the picture out; charts say "press run" before any value', async () => {
    const page = await open(browser, base);
    const w = (f: (w: Win) => unknown) => page.evaluate(`(${f.toString()})(window)`);
    const empty = await page.locator('#charts canvas').evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).dataset.empty));
    assert.ok(empty.includes('true'), 'the gradient-norm charts are empty before the first step');
    await page.click('.session details.settings summary');
    const labels = await page.locator('.knobs label').allInnerTexts();
    for (const l of ['lr G', 'lr D', 'β₁ G', 'β₂ D', 'n_critic', 'batch', 'steps', 'λ', 'G width', 'D depth', 'G activation']) assert.ok(labels.some((t) => t.trim().startsWith(l)), `${l} in the form (${labels.join(' | ')})`);
    await page.fill('[data-path="optimizerG.lr"]', '0.002');
    await page.fill('[data-path="steps"]', '321');
    await page.click('.session .apply');
    let c = ((await w((x) => x.gankit.configs())) as Array<{ optimizerD: { lr: number }; optimizerG: { lr: number }; steps: number }>)[0];
    assert.equal(c.optimizerG.lr, 0.002);
    assert.equal(c.steps, 321);
    await page.click('.session details.advanced summary');
    await page.fill('.session textarea', JSON.stringify({ loss: 'wgan-gp', data: { name: 'ring8' }, lr: 0.0005 }));
    await page.click('.session .apply-json');
    c = ((await w((x) => x.gankit.configs())) as typeof c[])[0];
    assert.deepEqual([c.optimizerD.lr, c.optimizerG.lr], [0.0005, 0.0005]);
    await page.fill('[data-path="steps"]', '-1');
    await page.click('.session .apply');
    const errors = (await w((x) => x.gankit.errors())) as string[];
    assert.match(errors[0], /steps/);
    assert.equal(await page.locator('.plane canvas').getAttribute('class'), 'stale');
    await page.close();
  });
});
