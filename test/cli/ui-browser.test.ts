/**
 * The web view in a real browser (issue 20): Debian's Chromium, driven by
 * playwright-core, opens `nomia ui`, realizes a name of three slow steps
 * from the page, sees its nodes change state live, opens a log, draws the
 * graph, and takes a screenshot that must show something.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { tempDir } from '../support/cli.js';
import { colourStats, decodePng } from '../support/png.js';
import { requireTool } from '../support/tools.js';
import { Repo } from '../support/git-repos.js';
import { startNomia, startUi } from '../support/ui.js';

/** Three steps of about a second each, one feeding the next; each says which it is in its log. */
const slow = (step: string, input?: string) =>
  `exec:run?args=[sh, -c, "echo step-${step}; sleep 1; ${input ? 'cat $in > $out; ' : ''}echo ${step} >> $out"]${input ? `(in: ${input})` : ''}`;
const name = `let a = ${slow('a')}; b = ${slow('b', '$a')} in ${slow('c', '$b')}`;

/** Debian's Chromium, headless. It runs as root here: its sandbox needs --no-sandbox; nothing may reach the network. */
function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

describe('nomia ui in Chromium', () => {
  test('a realize seen live: states change, a log opens, the screenshot is not blank', async (t) => {
    if (!requireTool(t, 'chromium', 'chromium')) return;
    const dir = tempDir('ui-browser');
    const ui = await startUi(join(dir, 'store'));
    const browser = await launch();
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

  test('a realize started in another process appears in the list of runs; its nodes, and those a namespace asked for, go to done', async (t) => {
    if (!requireTool(t, 'chromium', 'chromium') || !requireTool(t, 'git', 'git')) return;
    const dir = tempDir('ui-browser-live');
    const store = join(dir, 'store');
    const repo = Repo.init(join(dir, 'repo'));
    repo.commit('one', { 'word.txt': 'from git\n' });
    // git:latest realizes the commit it finds through ctx.resolve: a nested realize, with node ids of its own.
    const live = `let src = git:latest?repo=${repo.dir} in exec:run?args=[sh, -c, "echo slow-step; sleep 2; cat $in/word.txt > $out"](in: $src)`;
    const ui = await startUi(store);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(ui.url.href);
      await page.waitForSelector('#roots li');
      const realize = startNomia(store, ['realize', live]);
      const item = `.run[data-origin="pid ${realize.process.pid}"]`;
      await page.waitForSelector(`${item}[data-state="running"]`);
      assert.equal(await page.$eval(item, (r) => r.classList.contains('shown')), true, 'the new run is shown');
      await page.waitForSelector('.node[data-state="running"]:has-text("slow-step")');
      assert.equal(await page.$eval('.node:has-text("git:latest")', (n) => n.getAttribute('data-state')), 'done', 'its input was done first');
      // The commit's fetch, asked for by git:latest's namespace, hangs under git:latest.
      const nested = await page.$$eval('.tree li.nested > .node .label', (ls) => ls.map((l) => l.textContent ?? ''));
      assert.equal(nested.length, 1);
      assert.match(nested[0]!, /^git:exact-fetch\?/);
      assert.match(await page.$eval('.tree li:has(> .node:has-text("git:latest")) li.nested', (l) => l.textContent ?? ''), /git:exact-fetch/);

      assert.equal((await realize.exited).code, 0);
      await page.waitForSelector(`${item}[data-state="done"]`);
      await page.waitForFunction(() => document.querySelectorAll('.tree .node[data-state="done"]').length === 3);
      const ids = await page.$$eval('.tree .node', (ns) => ns.map((n) => n.getAttribute('data-id')));
      assert.equal(new Set(ids).size, 3, `three nodes, three ids: ${ids.join(', ')}`);
      assert.match(await page.textContent('#run-status') ?? '', /done: 2 realized, 0 reused/);
      // The slow step's log, as the store kept it.
      await page.click('.node:has-text("slow-step")');
      await page.waitForFunction(() => document.getElementById('log')?.textContent?.includes('slow-step'));
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      assert.equal(await ui.stop(), 0, ui.stderr());
    }
  });
});
