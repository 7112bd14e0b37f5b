/**
 * Generated documents match their sources: docs/losses.md is `gankit losses --md` (from the
 * registry), so a loss, preset or hyper-parameter changed without regenerating it fails here.
 * The README's Wasserstein verdict table is the committed study report's main table, row for row.
 * Every relative link and image in the committed Markdown documents names a file that is there.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lossesMarkdown } from '../src/losses/docs.js';
import { listLosses, VARIANTS, HYPERPARAMETERS } from '../src/losses/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));

describe('generated docs', () => {
  it('docs/losses.md is what `gankit losses --md` prints (regenerate: node dist/src/cli/bin.js losses --md > docs/losses.md)', () => {
    const committed = readFileSync(`${ROOT}docs/losses.md`, 'utf8');
    const printed = spawnSync(process.execPath, [BIN, 'losses', '--md'], { encoding: 'utf8' });
    assert.equal(printed.status, 0, printed.stderr);
    assert.equal(printed.stdout, lossesMarkdown());
    assert.equal(committed, printed.stdout, 'docs/losses.md is out of date');
  });

  it('names every loss, variant and hyper-parameter with its formulas and preset source', () => {
    const md = lossesMarkdown();
    for (const l of listLosses()) {
      assert.match(md, new RegExp(`^\\| \`${l.name}\` \\|`, 'm'), `${l.name} has no row`);
      assert.ok(md.includes(l.preset.source), `${l.name}'s preset source is missing`);
    }
    for (const v of VARIANTS) assert.match(md, new RegExp(`^\\| \`${v.name}\` \\|`, 'm'));
    for (const h of Object.keys(HYPERPARAMETERS)) assert.match(md, new RegExp(`^\\| \`${h}\` \\|`, 'm'));
  });

  it("the README's Wasserstein verdict table is the committed report's first table (docs/wasserstein-study/report.md)", () => {
    const report = readFileSync(`${ROOT}docs/wasserstein-study/report.md`, 'utf8');
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## What the Wasserstein loss really does'));
    const table = (text: string) => {
      const lines = text.split('\n');
      const start = lines.findIndex((l) => l.startsWith('| # | claim'));
      assert.notEqual(start, -1, 'a table whose header starts "| # | claim"');
      const out: string[] = [];
      for (let i = start; i < lines.length && lines[i].startsWith('|'); i++) out.push(lines[i]);
      return out;
    };
    const fromReport = table(report);
    assert.equal(fromReport.length, 12, 'a header, a rule and ten claims');
    assert.deepEqual(table(section), fromReport, 'copy the table from docs/wasserstein-study/report.md into the README');
  });

  it('every relative link and image in the committed Markdown documents resolves to a file', () => {
    const files = spawnSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
    assert.ok(files.includes('README.md') && files.length >= 5, `git ls-files found ${files.length} Markdown files`);
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      // Code (fenced or inline) shows syntax, not links.
      const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)|(?:src|href)="([^"]+)"/g)) {
        const target = m[1] ?? m[2];
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
        checked++;
        if (!existsSync(join(ROOT, dirname(file), decodeURIComponent(target.split('#')[0])))) broken.push(`${file}: ${target}`);
      }
    }
    assert.ok(checked > 50, `only ${checked} relative links found`);
    assert.deepEqual(broken, []);
  });
});
