import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { eventRenderer, progressText, shortLabel } from '../../src/cli/render-events.js';
import type { Spelling } from '../../src/graph/spell.js';

const sp = 'nomia1-0000000000000000000000000000000000000000000000000000' as Spelling;

function fakeTerminal(isTTY: boolean) {
  let text = '';
  return { isTTY, columns: 80, write: (s: string) => { text += s; return true; }, get text() { return text; } };
}

/** What the terminal shows: apply "cursor up N lines + clear to end". */
function screen(raw: string): string[] {
  const lines: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const m = /^\x1b\[(\d+)F\x1b\[0J/.exec(raw.slice(i));
    if (m) {
      lines.splice(lines.length - Number(m[1]));
      i += m[0].length - 1;
      continue;
    }
    if (raw[i] === '\n') { lines.push(cur); cur = ''; } else cur += raw[i];
  }
  return lines;
}

const events: EngineEvent[] = [
  { kind: 'resolving', name: 'x' },
  { kind: 'realizing', node: 1, label: 'exec:run?args=[a]', spelling: sp },
  { kind: 'realizing', node: 2, label: 'exec:run?args=[b]', spelling: sp },
  { kind: 'cache-hit', node: 3, label: 'text:digest', spelling: sp, to: 'context:value?v=1', early: true },
  { kind: 'ready', node: 1, label: 'exec:run?args=[a]', outputs: {}, ms: 12 },
];

test('on a terminal: finished steps scroll above a live block of what runs and the counts', () => {
  const term = fakeTerminal(true);
  const r = eventRenderer('auto', term);
  for (const e of events) r.listener(e);
  const shown = screen(term.text);
  assert.equal(shown[0], 'ready     exec:run?args=[a] (12 ms)');
  assert.match(shown[1]!, /^ {2}▸ +\d+\.\ds exec:run\?args=\[b\]$/);
  assert.equal(shown[2], '  1 done · 1 reused · 1 running');
  assert.equal(shown.length, 3);
  r.listener({ kind: 'done', roots: [], ms: 20, ran: 2, reused: 1 });
  assert.deepEqual(screen(term.text), ['ready     exec:run?args=[a] (12 ms)', 'done: 2 realized, 1 reused, 20 ms']);
  r.finish();
});

test('not a terminal: plain lines; json: one object per line', () => {
  const plain = fakeTerminal(false);
  const r = eventRenderer('auto', plain);
  for (const e of events) r.listener(e);
  assert.equal(plain.text, 'realizing exec:run?args=[a]\nrealizing exec:run?args=[b]\nreused    text:digest (inputs unchanged)\nready     exec:run?args=[a] (12 ms)\n');
  const json = fakeTerminal(true);
  const j = eventRenderer('json', json);
  for (const e of events) j.listener(e);
  assert.deepEqual(json.text.trim().split('\n').map((l) => JSON.parse(l)), events);
});

test('progress: shown on the running line in the live view, never as plain lines', () => {
  assert.equal(progressText({ done: 4.5 * 1024 * 1024, total: 10 * 1024 * 1024, unit: 'bytes' }), '45% (4.5 MiB of 10.0 MiB)');
  assert.equal(progressText({ done: 12, total: 40, unit: 'files' }), '30% (12 of 40 files)');
  assert.equal(progressText({ done: 3 * 1024 * 1024, unit: 'bytes' }), '3.0 MiB');
  assert.equal(progressText({ done: 7 }), '7');
  const term = fakeTerminal(true);
  const r = eventRenderer('auto', term);
  r.listener({ kind: 'realizing', node: 1, label: 'fetch:url?url=x', spelling: sp });
  r.listener({ kind: 'progress', node: 1, label: 'fetch:url?url=x', done: 512, total: 2048, unit: 'bytes' });
  r.listener({ kind: 'progress', node: 9, label: 'not running', done: 1 });
  r.listener({ kind: 'cache-hit', node: 3, label: 'text:digest', spelling: sp, to: 'context:value?v=1', early: false });
  assert.match(screen(term.text)[0]!, /^ {2}▸ +\d+\.\ds 25% \(512 B of 2.0 KiB\) fetch:url\?url=x$/);
  r.finish();
  const plain = fakeTerminal(false);
  eventRenderer('plain', plain).listener({ kind: 'progress', node: 1, label: 'x', done: 1, total: 2 });
  assert.equal(plain.text, '');
});

test('on a terminal: a node being fetched from a binary cache shows its bytes, then a fetched line', () => {
  const term = fakeTerminal(true);
  const r = eventRenderer('auto', term);
  r.listener({ kind: 'fetching', node: 2, label: 'exec:run?args=[x]', cache: 'http://127.0.0.1:1/c' });
  r.listener({ kind: 'progress', node: 2, label: 'exec:run?args=[x]', done: 3 * 1024 * 1024, unit: 'bytes' });
  // Progress is drawn on the next redraw (a timer, or any other event).
  r.listener({ kind: 'cache-hit', node: 3, label: 'text:digest', spelling: sp, to: 'context:value?v=1', early: false });
  assert.match(screen(term.text)[0]!, /^ {2}▸ +\d+\.\ds 3\.0 MiB fetching exec:run\?args=\[x\]$/);
  r.listener({ kind: 'substituted', node: 2, label: 'exec:run?args=[x]', spelling: sp, to: 'v', cache: 'http://127.0.0.1:1/c', signer: 'k-1', objects: 1, bytes: 3 * 1024 * 1024 });
  r.finish();
  const shown = screen(term.text);
  assert.match(shown[0]!, /^fetched   exec:run\?args=\[x\] from http:\/\/127\.0\.0\.1:1\/c \(signed by k-1; 1 object, 3\.0 MiB\)$/);
  assert.ok(!shown.some((l) => l.includes('▸')), shown.join('\n'));
});

test('on a terminal: a running node with a label parameter is shown by its label', () => {
  const term = fakeTerminal(true);
  const r = eventRenderer('auto', term);
  r.listener({ kind: 'realizing', node: 1, label: 'exec:run?label="compile foo"&args=[cc, -c, foo.c]', title: 'compile foo', spelling: sp });
  r.finish();
  assert.match(term.text, /▸ +[0-9.]+s compile foo\n/);
  assert.doesNotMatch(term.text, /exec:run/);
});

test('a warning is a line of its own on a terminal, above the live block', () => {
  const term = fakeTerminal(true);
  const r = eventRenderer('auto', term);
  r.listener({ kind: 'realizing', node: 1, label: 'exec:run?args=[a]', spelling: sp });
  r.listener({ kind: 'warning', node: 1, label: 'exec:run?args=[a]', type: 'unset-variable', variable: 'x', where: 'args[2]', message: 'exec:run: `$x` in args[2] is …' });
  const shown = screen(term.text);
  assert.equal(shown[0], 'warning   exec:run: `$x` in args[2] is …');
  assert.match(shown[1]!, /^ {2}▸ +\d+\.\ds exec:run\?args=\[a\]$/);
  r.finish();
});

test('a log line cut to 30 characters leaves no bracket open (CMake reads every line after an open [ as one)', () => {
  const out = fakeTerminal(false);
  eventRenderer('plain', out).listener({ kind: 'log', node: 1, label: 'deb:host?paths=[/usr/bin/cmake, /usr/bin/gcc]&packages=[libc6-dev]', line: 'updating the index' });
  assert.equal(out.text, '  deb:host?paths=…> updating the index\n');
  assert.equal(shortLabel('cc:link?args=[-v, {0}]&name=cmTC_11c4f'), 'cc:link?args=[-v, {0}]&name=cm…');
  assert.equal(shortLabel('exec:run?args=[a]'), 'exec:run?args=[a]');
  for (const label of ['a(b[c{d' + 'x'.repeat(30), 'x'.repeat(40), 'deb:exact?package=gcc-12&version=[1, 2]']) {
    const cut = shortLabel(label);
    let depth = 0;
    for (const c of cut) depth += '[({'.includes(c) ? 1 : ')]}'.includes(c) ? -1 : 0;
    assert.equal(depth, 0, cut);
  }
});
