/**
 * The web view in a real browser (issue 20): Debian's Chromium, driven by
 * playwright-core, opens `nomia ui`, realizes a name of three slow steps
 * from the page, sees its nodes change state live, opens a log, draws the
 * graph, and takes a screenshot that must show something.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { tempDir } from '../support/cli.js';
import { colourStats, decodePng } from '../support/png.js';
import { requireTool } from '../support/tools.js';
import { startUi } from '../support/ui.js';

/** Three steps of about a second each, one feeding the next; each says which it is in its log. */
const slow = (step: string, input?: string) =>
  `exec:run?args=[sh, -c, "echo step-${step}; sleep 1; ${input ? 'cat $in > $out; ' : ''}echo ${step} >> $out"]${input ? `(in: ${input})` : ''}`;
const name = `let a = ${slow('a')}; b = ${slow('b', '$a')} in ${slow('c', '$b')}`;

describe('nomia ui in Chromium', () => {
  test('a realize seen live: states change, a log opens, the screenshot is not blank', async (t) => {
    if (!requireTool(t, 'chromium', 'chromium')) return;
    const dir = tempDir('ui-browser');
    const ui = await startUi(join(dir, 'store'));
    // Chromium runs as root here: its sandbox needs --no-sandbox; nothing may reach the network.
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(ui.url.href);
      await page.waitForSelector('#roots li');
      await page.fill('#name', name);
      await page.click('#realize');

      // The tree appears with the three steps, the result on top; then one runs while the others wait.
      await page.waitForSelector('.node[data-state="running"]');
      const labels = await page.$$eval('.node .label', (ls) => ls.map((l) => l.textContent ?? ''));
      assert.equal(labels.length, 3);
      assert.match(labels[0]!, /step-c/);
      const firstRunning = await page.$eval('.node[data-state="running"]', (n) => n.textContent ?? '');
      assert.match(firstRunning, /step-a/, 'the input runs first');
      assert.equal(await page.$$eval('.node[data-state="pending"]', (ns) => ns.length), 2);
      // Seen later in the same page: step a done, then every step.
      await page.waitForSelector('.node[data-state="done"]');
      await page.waitForFunction(() => document.querySelectorAll('.node[data-state="done"]').length === 3, undefined, { timeout: 30_000 });
      assert.match(await page.textContent('#run-status') ?? '', /done: 3 realized, 0 reused/);
      const times = await page.$$eval('.node .time', (ts) => ts.map((x) => x.textContent ?? ''));
      for (const time of times) assert.ok(Number.parseFloat(time) >= 1, `each step took its second: ${times.join(', ')}`);

      // Its log, as the store kept it.
      await page.click('.node:has-text("step-b")');
      await page.waitForFunction(() => document.getElementById('log')?.textContent?.includes('step-b'));
      assert.doesNotMatch(await page.textContent('#log') ?? '', /step-a|step-c/);

      // The graph of the name: its nodes now reducible by what the realize recorded.
      await page.click('#show-graph');
      await page.waitForSelector('#graph svg');
      assert.equal(await page.$$eval('#graph svg g.node.state-reducible', (ns) => ns.length), 3);

      const shot = decodePng(await page.screenshot({ fullPage: true }));
      const stats = colourStats(shot);
      assert.ok(shot.width >= 1000 && shot.height >= 600, `${shot.width}×${shot.height}`);
      // A blank page has one colour; this one has a header, coloured nodes, text and a picture.
      assert.ok(stats.colours > 50, `${stats.colours} colours`);
      assert.ok(stats.nonBackground > 0.05, `${(stats.nonBackground * 100).toFixed(1)}% of the pixels differ from the background`);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      assert.equal(await ui.stop(), 0, ui.stderr());
    }
  });
});
