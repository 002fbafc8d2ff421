/** `nomia ui` over HTTP (issue 20): the token guards every request; the answers are what the commands say. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { startUi, type RunningUi } from '../support/ui.js';
import { parseXml } from '../support/xml.js';

describe('nomia ui', () => {
  const dir = tempDir('ui');
  const store = join(dir, 'store');
  writeFileSync(join(dir, 'x.txt'), 'abc\n');
  let added = '';
  let name = '';
  let result = '';
  let ui: RunningUi;
  const at = (path: string, params: Record<string, string> = {}, token = ui.url.searchParams.get('token')!) =>
    new URL(`${path}?${new URLSearchParams({ ...params, token })}`, ui.url);

  before(async () => {
    added = nomia(store, ['add', join(dir, 'x.txt')]).out.split('\n')[0]!;
    name = `exec:run?args=[sh, -c, "echo converting; tr a-z A-Z < $in > $out"](in: ${added})`;
    const r = nomia(store, ['realize', '--root', 'upper', name]);
    assert.equal(r.code, 0, r.err);
    result = r.out.split('\n')[0]!;
    ui = await startUi(store);
  });
  after(async () => {
    assert.equal(await ui.stop(), 0, ui.stderr());
  });

  test('prints a URL on 127.0.0.1 carrying a random token', async () => {
    assert.equal(ui.url.hostname, '127.0.0.1');
    assert.match(ui.url.searchParams.get('token') ?? '', /^[0-9a-f]{32}$/);
    const other = await startUi(join(dir, 'other-store'));
    try {
      assert.notEqual(other.url.searchParams.get('token'), ui.url.searchParams.get('token'));
    } finally {
      await other.stop();
    }
  });

  test('a request without the token, or with another, is refused with 403', async () => {
    for (const path of ['/', '/app.js', '/api/roots', '/api/events']) {
      assert.equal((await fetch(new URL(path, ui.url))).status, 403, path);
      assert.equal((await fetch(at(path, {}, '0'.repeat(32)))).status, 403, path);
    }
    assert.equal((await fetch(at('/api/realize'), { method: 'POST', body: JSON.stringify({ name }) }).then((r) => r.status)), 202);
    assert.equal((await fetch(new URL('/api/realize', ui.url), { method: 'POST', body: JSON.stringify({ name }) })).status, 403);
  });

  test('the page and its script carry the token', async () => {
    const page = await (await fetch(ui.url)).text();
    assert.match(page, new RegExp(`app\\.js\\?token=${ui.url.searchParams.get('token')}`));
    assert.equal((await fetch(at('/app.js'))).headers.get('content-type'), 'text/javascript; charset=utf-8');
  });

  test('roots and the objects they keep', async () => {
    const roots = await (await fetch(at('/api/roots'))).json() as { name: string; keeps: { name: string }[] }[];
    const upper = roots.find((r) => r.name === 'upper');
    assert.ok(upper, JSON.stringify(roots));
    assert.deepEqual(upper.keeps.map((k) => k.name), [result]);
  });

  test('the graph picture, the chain of reductions and the log of a name', async () => {
    const svg = await (await fetch(at('/api/graph.svg', { name }))).text();
    const doc = parseXml(svg);
    assert.equal(doc.root, 'svg');
    assert.deepEqual((doc.attributes.get('class') ?? []).filter((c) => c.startsWith('node state-')), ['node state-reducible', 'node state-in-store']);
    const chain = await (await fetch(at('/api/chain', { name }))).json() as { name: string; to?: string }[];
    assert.equal(chain[0]!.to, result);
    const log = await fetch(at('/api/log', { name }));
    assert.equal(log.status, 200);
    assert.match(await log.text(), /converting/);
    assert.equal((await fetch(at('/api/log', { name: 'exec:run?args=[never-ran]' }))).status, 404);
  });

  test('a bad name is a 400 with the error', async () => {
    const r = await fetch(at('/api/graph.svg', { name: 'f:f(' }));
    assert.equal(r.status, 400);
    assert.ok(((await r.json()) as { error: string }).error);
  });
});
