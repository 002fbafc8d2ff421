/**
 * A contextual deb name realized again is answered from the memo while its
 * context is unchanged (namespaces/deb/index-context.ts, issue 16's warm
 * target), against the real archive: the answer is a cold resolve's; a
 * changed index file, the index due for its refresh (`NOMIA_DEB_TTL`), and
 * `APT_CONFIG` or `NOMIA_DEB_TTL` set each make the next realize ask apt.
 * The store's own copy of apt's state (`cache/deb/lists`, the `updated`
 * stamp) stands for an `apt-get update`: the system's apt state and
 * `/etc/apt` are never touched.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nextSecond } from '../support/clock.js';
import { nomia, tempDir } from '../support/cli.js';
import { freePort } from '../support/nginx.js';
import { requireTool } from '../support/tools.js';

type Done = Extract<EngineEvent, { kind: 'done' }>;

const dir = tempDir('deb-memo');
const store = join(dir, 'store');
const deb = join(store, 'cache', 'deb');
const NAME = 'deb:latest?package=hello';

function realize(env: Record<string, string> = {}, extra: string[] = []) {
  const r = nomia(store, ['realize', '--log-format', 'json', ...extra, NAME], { env, cwd: dir });
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  const ran = events.flatMap((e) => (e.kind === 'realizing' ? [e.label] : []));
  return { ...r, done: events.find((e): e is Done => e.kind === 'done'), ran };
}

/** Realize until the memo answers (a racy first record is taken again once); that answer. */
function primed(env: Record<string, string> = {}) {
  nextSecond();
  const full = realize(env);
  assert.equal(full.code, 0, full.err);
  const memo = realize(env);
  assert.equal(memo.code, 0, memo.err);
  assert.equal(memo.done?.memo, true, `realized again with nothing changed, the name is answered from the memo:\n${memo.err}`);
  assert.deepEqual(memo.ran, [], 'no node ran');
  assert.equal(memo.out, full.out);
  return memo;
}

/** An apt-get that fails when asked, ahead of the real one on PATH. */
function failingApt(): string {
  const fake = join(dir, 'fake-apt');
  mkdirSync(fake, { recursive: true });
  writeFileSync(join(fake, 'apt-get'), '#!/bin/sh\necho "E: apt-get was asked" >&2\nexit 100\n', { mode: 0o755 });
  return `${fake}:${process.env['PATH'] ?? ''}`;
}

/** A proxy address nothing listens on: the archive is unreachable through it, and says so at once. */
const closedPort = async () => `http://127.0.0.1:${await freePort()}`;

function tools(t: TestContext): boolean {
  return requireTool(t, 'apt-get', 'apt');
}

describe('the memo of contextual deb names', () => {
  test('realized again, deb:latest is answered from the memo with a cold resolve\'s answer; a changed index file asks apt again', (t) => {
    if (!tools(t)) return;
    const first = realize();
    assert.equal(first.code, 0, first.err);
    const memo = primed();
    assert.equal(memo.out, first.out);
    // A cold resolve: no memo, no kept answer of apt's; apt resolves against the index again.
    rmSync(join(deb, 'answers'), { recursive: true, force: true });
    const cold = realize({ PATH: failingApt() }, ['--no-memo']);
    assert.equal(cold.code, 1, 'without the memo and a kept answer, apt is asked');
    assert.match(cold.err, /apt-get was asked/);
    const resolved = realize({}, ['--no-memo']);
    assert.equal(resolved.code, 0, resolved.err);
    assert.equal(resolved.out, memo.out, 'the memo answers what a cold resolve gives');
    // An apt-get update that changed the index: one of its files is rewritten.
    primed();
    const lists = join(deb, 'lists');
    const packages = readdirSync(lists).find((f) => f.includes('Packages'))!;
    const now = new Date();
    utimesSync(join(lists, packages), now, now);
    const asked = realize({ PATH: failingApt() });
    assert.equal(asked.code, 1, 'a changed index is not answered from the memo');
    assert.notEqual(asked.done?.memo, true);
    assert.match(asked.err, /apt-get was asked/);
    const again = realize();
    assert.equal(again.code, 0, again.err);
    assert.deepEqual(again.ran, [NAME], 'the contextual node ran again');
    assert.equal(again.out, first.out);
  });

  test('the memo holds only while the index is fresh: once due for a refresh (NOMIA_DEB_TTL), the archive is asked', async (t) => {
    if (!tools(t)) return;
    const ttl = { NOMIA_DEB_TTL: '8' };
    const offline = { ...ttl, http_proxy: await closedPort() };
    // The index as just fetched: due for a refresh 8 s from now.
    const refreshed = Date.now();
    utimesSync(join(deb, 'updated'), new Date(refreshed), new Date(refreshed));
    primed(ttl);
    const held = realize(offline);
    assert.equal(held.code, 0, `while the index is fresh, the memo answers even offline:\n${held.err}`);
    assert.equal(held.done?.memo, true);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, refreshed + 8_500 - Date.now()));
    const due = realize(offline);
    assert.equal(due.code, 1, 'an index due for a refresh is not answered from the memo');
    assert.match(due.err, /error\[deb\/unreachable\]/);
  });

  test('APT_CONFIG and NOMIA_DEB_TTL are part of the memo\'s key: set, apt is asked', async (t) => {
    if (!tools(t)) return;
    primed();
    // apt configured elsewhere, with no sources: asked, it knows no package hello.
    const conf = join(dir, 'apt-no-sources.conf');
    writeFileSync(conf, `Dir::Etc::sourcelist "/dev/null";\nDir::Etc::sourceparts "${join(dir, 'no-parts')}";\n`);
    const other = realize({ APT_CONFIG: conf });
    assert.equal(other.code, 1, `another apt configuration is not answered from the memo:\n${other.err}`);
    assert.match(other.err, /deb\/not-found/);
    // NOMIA_DEB_TTL=0 asks the archive every time: here unreachable.
    const every = realize({ NOMIA_DEB_TTL: '0', http_proxy: await closedPort() });
    assert.equal(every.code, 1, 'NOMIA_DEB_TTL=0 is not answered from the memo');
    assert.match(every.err, /error\[deb\/unreachable\]/);
  });
});
