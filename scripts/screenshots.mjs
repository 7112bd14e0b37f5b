// Screenshots of the playground's main views for docs/img (node scripts/screenshots.mjs, after
// npm run build:web): the 2-D view on ring8 (WGAN-GP), the compare view (WGAN-GP vs NS on grid25)
// and the images tab (the shipped Fashion-MNIST generator). Headless Debian chromium.
import { chromium } from 'playwright-core';
import { startPlayground } from '../dist/src/playground/server.js';
import { encodeShare } from '../dist/src/playground/share.js';

const { server, url } = await startPlayground({ port: 0, host: '127.0.0.1' });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const shots = [
  { file: 'docs/img/playground-ring8.png', configs: [{ loss: 'wgan-gp', data: { name: 'ring8' }, seed: 1 }], steps: 600, warp: true },
  { file: 'docs/img/playground-compare.png', configs: [{ loss: 'wgan-gp', data: { name: 'grid25' }, seed: 1 }, { loss: 'ns', data: { name: 'grid25' }, seed: 1 }], steps: 800 },
  { file: 'docs/img/playground-images.png', images: 'fashion-mnist-ns' },
];
try {
  for (const s of shots) {
    const page = await browser.newPage({ viewport: { width: 1280, height: s.images ? 900 : 1020 } });
    await page.goto(`${url}#${encodeShare({ configs: s.configs ?? [{ loss: 'wgan-gp', data: { name: 'ring8' } }] })}`);
    await page.waitForFunction(() => window.gankit?.ready);
    await page.evaluate(() => window.gankit.ready);
    if (s.images) {
      await page.click('nav .tab[data-tab=images]');
      await page.evaluate((n) => window.gankitImages.loadPretrained(n), s.images);
    } else {
      if (s.warp) await page.check('#show-warp');
      await page.evaluate((n) => window.gankit.train(n), s.steps);
    }
    await page.screenshot({ path: s.file });
    console.log(s.file);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
