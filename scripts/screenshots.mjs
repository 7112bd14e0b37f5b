// The README's screenshots of the playground (docs/screenshots/), at 1280×800 and at a phone's
// 390×844: the 2-D view (ring8, WGAN-GP, with the noise warp), compare (WGAN-GP vs NS on spiral),
// and the images tab with a shipped conditional generator (a row per class, named).
// Needs the built page (npm run build:web) and Debian's chromium. `node scripts/screenshots.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import sharp from 'sharp';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../', import.meta.url));
const { startPlayground } = await import(new URL('../dist/src/playground/server.js', import.meta.url).href);
const { encodeShare } = await import(new URL('../dist/src/playground/share.js', import.meta.url).href);
const out = join(root, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });

const { server, url } = await startPlayground({ port: 0, host: '127.0.0.1' });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const views = {
  '2d': { configs: [{ loss: 'wgan-gp', data: { name: 'ring8' }, seed: 1 }], steps: 400, warp: true },
  compare: { configs: [{ loss: 'wgan-gp', data: { name: 'spiral' }, seed: 1 }, { loss: 'ns', data: { name: 'spiral' }, seed: 1 }], steps: 300 },
};
try {
  for (const [size, viewport] of Object.entries(sizes)) {
    for (const [name, v] of Object.entries(views)) {
      const page = await browser.newPage({ viewport });
      await page.goto(`${url}#${encodeShare({ configs: v.configs })}`);
      await page.waitForFunction(() => window.gankit?.ready);
      await page.evaluate(() => window.gankit.ready);
      if (v.warp) await page.check('#show-warp');
      await page.evaluate((n) => window.gankit.train(n), v.steps);
      await page.waitForTimeout(300);
      await save(page, `playground-${name}-${size}.png`);
      await page.close();
    }
    const page = await browser.newPage({ viewport });
    await page.goto(url);
    await page.waitForFunction(() => window.gankit?.ready);
    await page.evaluate(() => window.gankit.ready);
    await page.click('nav .tab[data-tab=images]');
    await page.evaluate(() => window.gankitImages.loadPretrained('fashion-mnist-cgan'));
    await save(page, `playground-images-${size}.png`);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

/** The viewport as a PNG of at most 128 colours (a few hundred kB at most). */
async function save(page, name) {
  const png = await page.screenshot();
  const small = await sharp(png).png({ palette: true, colours: 128, compressionLevel: 9, effort: 10 }).toBuffer();
  writeFileSync(join(out, name), small);
  console.log(`docs/screenshots/${name}: ${(small.length / 1024).toFixed(0)} kB`);
}
