/** `nomia ui` over HTTP (issue 20): the token guards every request; the answers are what the commands say. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import type { UiMessage } from '../../src/cli/ui/runs.js';
import { eventStream, startNomia, startUi, type RunningUi } from '../support/ui.js';
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

describe('nomia ui: realizes in other processes', () => {
  const dir = tempDir('ui-live');
  const store = join(dir, 'store');
  const slow = (word: string, seconds: number) => `exec:run?args=[sh, -c, "echo ${word}; sleep ${seconds}; echo ${word} > $out"]`;

  test('without a nomia ui, a realize leaves nothing behind for one', () => {
    const r = nomia(store, ['realize', slow('alone', 0)]);
    assert.equal(r.code, 0, r.err);
    assert.equal(existsSync(join(store, 'ui')), false);
  });

  test('a realize publishes its run: the events it prints with --log-format json, in order, then how it ended', async () => {
    const ui = await startUi(store);
    const events = await eventStream(ui);
    try {
      const name = `let a = ${slow('first', 0)} in exec:run?args=[sh, -c, "cat $in > $out; echo second >> $out"](in: $a)`;
      const realize = startNomia(store, ['realize', '--log-format', 'json', name]);
      const r = await realize.exited;
      assert.equal(r.code, 0, r.err);
      const run = await events.waitFor((m) => m.kind === 'run' && m.origin === `pid ${realize.process.pid}`) as Extract<UiMessage, { kind: 'run' }>;
      assert.equal(run.name, name);
      assert.deepEqual(run.nodes.map((n) => [n.id, n.root]), [[0, false], [1, true]]);
      const end = await events.waitFor((m) => m.kind === 'end' && m.run === run.run);
      const printed = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as unknown);
      const sent = events.messages.filter((m) => m.kind === 'event' && m.run === run.run).map((m) => (m as { event: unknown }).event);
      assert.deepEqual(sent, printed);
      assert.deepEqual(end, { kind: 'end', run: run.run, ok: true, results: [r.out.split('\n')[0]] });
      // A failure says why.
      const failing = startNomia(store, ['realize', 'exec:run?args=[sh, -c, "echo broken; exit 3"]']);
      assert.equal((await failing.exited).code, 1);
      const failed = await events.waitFor((m) => m.kind === 'run' && m.origin === `pid ${failing.process.pid}`);
      const ended = await events.waitFor((m) => m.kind === 'end' && m.run === failed.run) as Extract<UiMessage, { kind: 'end' }>;
      assert.equal(ended.ok, false);
      assert.match(ended.error ?? '', /exit/);
    } finally {
      events.close();
      assert.equal(await ui.stop(), 0, ui.stderr());
    }
  });

  test('a realize killed mid-run ends its run as failed, and the view goes on', async () => {
    const ui = await startUi(store);
    const events = await eventStream(ui);
    try {
      const killed = startNomia(store, ['realize', slow('killed', 5)]);
      const run = await events.waitFor((m) => m.kind === 'run' && m.origin === `pid ${killed.process.pid}`);
      await events.waitFor((m) => m.kind === 'event' && m.run === run.run && m.event.kind === 'realizing');
      killed.process.kill('SIGKILL');
      const end = await events.waitFor((m) => m.kind === 'end' && m.run === run.run) as Extract<UiMessage, { kind: 'end' }>;
      assert.equal(end.ok, false);
      assert.match(end.error ?? '', /stopped before it ended/);
      const next = startNomia(store, ['realize', slow('after', 0)]);
      assert.equal((await next.exited).code, 0);
      const after = await events.waitFor((m) => m.kind === 'run' && m.origin === `pid ${next.process.pid}`);
      assert.equal((await events.waitFor((m) => m.kind === 'end' && m.run === after.run) as { ok: boolean }).ok, true);
    } finally {
      events.close();
      assert.equal(await ui.stop(), 0, ui.stderr());
    }
  });

  test('a publisher that writes garbage loses its connection; the server and other runs go on', async () => {
    const ui = await startUi(store);
    const events = await eventStream(ui);
    try {
      const [socket] = readdirSync(join(store, 'ui'));
      const send = (text: string) => new Promise<void>((closed) => {
        const c = connect(join(store, 'ui', socket!));
        c.on('error', () => undefined);
        c.on('close', () => closed());
        c.end(text);
      });
      await send('not json\n');
      await send(`${JSON.stringify({ kind: 'hello', version: 1, pid: 424242, name: 'x:y' })}\n{"kind":\n`);
      const broken = await events.waitFor((m) => m.kind === 'run' && m.origin === 'pid 424242');
      assert.equal((await events.waitFor((m) => m.kind === 'end' && m.run === broken.run) as { ok: boolean }).ok, false);
      const next = startNomia(store, ['realize', slow('still', 0)]);
      assert.equal((await next.exited).code, 0);
      const run = await events.waitFor((m) => m.kind === 'run' && m.origin === `pid ${next.process.pid}`);
      assert.equal((await events.waitFor((m) => m.kind === 'end' && m.run === run.run) as { ok: boolean }).ok, true);
      assert.equal(events.messages.filter((m) => m.kind === 'run').length, 2, 'the line without a hello made no run');
    } finally {
      events.close();
      assert.equal(await ui.stop(), 0, ui.stderr());
    }
  });

  test('stopped as soon as it printed its URL, it still exits cleanly and removes its socket', async () => {
    // Regression: the handlers were set after the URL was printed, so a quick SIGTERM killed it outright.
    const quick = join(dir, 'quick-store');
    for (let i = 0; i < 5; i++) {
      const ui = await startUi(quick);
      assert.equal(await ui.stop(), 0, `stop ${i}: ${ui.stderr()}`);
      assert.deepEqual(readdirSync(join(quick, 'ui')), []);
    }
  });

  test('a nomia ui killed without cleaning up slows no realize, and the next one sweeps its socket', async () => {
    const gone = await startUi(store);
    gone.process.kill('SIGKILL');
    await gone.stop();
    const stale = readdirSync(join(store, 'ui'));
    assert.equal(stale.length, 1, 'the killed one left its socket');
    const r = nomia(store, ['realize', slow('unwatched', 0)]);
    assert.equal(r.code, 0, r.err);
    const ui = await startUi(store);
    try {
      // The sweep runs as the server starts; wait for it.
      for (let i = 0; i < 50 && readdirSync(join(store, 'ui')).includes(stale[0]!); i++) await new Promise((done) => setTimeout(done, 20));
      assert.deepEqual(readdirSync(join(store, 'ui')).filter((f) => f === stale[0]), []);
      assert.equal(readdirSync(join(store, 'ui')).length, 1);
    } finally {
      assert.equal(await ui.stop(), 0, ui.stderr());
    }
    assert.deepEqual(readdirSync(join(store, 'ui')), [], 'a nomia ui that stops removes its socket');
  });
});
