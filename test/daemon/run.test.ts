/**
 * The `run` op (daemon/run.ts) through the real native client
 * (client/nomia-client.c, compiled here) and a real `nomia daemon` with its
 * spare processes: output and exit status are the plain CLI's, byte for
 * byte; standard input is the client's, and left alone by a command that
 * does not read it; no daemon, another package or a command that runs
 * itself fall back to the Node CLI; Ctrl-C at the client stops the command;
 * a spare started before the code changed never runs a command.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test, type TestContext } from 'node:test';
import { readFrames } from '../../src/daemon/frames.js';
import { distSrc, env, nomia, tempDir, type Run } from '../support/cli.js';
import { cmakeReady, realizeCmakeToolchain } from '../support/cmake-toolchain.js';
import { startDaemon } from '../support/daemon.js';
import { hasTool, requireTool } from '../support/tools.js';

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
const clientPath = join(packageRoot, 'client', 'nomia-client');
const dir = tempDir('daemon-run');
const store = join(dir, 'store');
const socket = join(store, 'daemon.sock');
let daemon: { child: ChildProcess; stderr: () => string } | undefined;

/** The command line run by the native client, as `nomia` (support/cli.ts's `nomia` runs the Node CLI alike). */
function client(args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string; store?: string } = {}): Run {
  const r = spawnSync(clientPath, ['--store', options.store ?? store, ...args], {
    input: options.input ?? '', env: env(options.env), cwd: options.cwd ?? dir, maxBuffer: 1 << 30,
  });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
}

/** What the daemon said about runs so far, line by line. */
const runs = () => daemon!.stderr().split('\n').filter((l) => l.startsWith('ran '));

/** Wait (without a deadline: the test's own is the limit) until the daemon's log after its `before`-th line holds a line matching `re`. */
async function logged(before: number, re: RegExp): Promise<string> {
  for (;;) {
    const line = runs().slice(before).find((l) => re.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Durations differ between two runs of one command; everything else must not. */
const timeless = (s: string) => s.replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'T');

/** A `run` request straight on the socket, and the frames of its answer. */
async function rawRun(fields: Record<string, unknown>): Promise<{ type: string; payload: Buffer }[]> {
  const request = { id: 1, op: 'run', argv: ['parse', 'a:b'], cwd: dir, env: env(), pid: process.pid, umask: 0o22, tty: { stdin: false, stdout: false, stderr: false, columns: 0 }, package: packageRoot, store, ...fields };
  const answer = await new Promise<Buffer>((resolveAnswer, reject) => {
    const s = connect(socket, () => s.write(`${JSON.stringify(request)}\n`));
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => resolveAnswer(Buffer.concat(chunks)));
    s.on('error', reject);
  });
  return readFrames(answer).frames;
}

let sentinels = 0;

/**
 * What the daemon logged for the command line `args` after its `before`-th log line. The log is read between
 * turns of this test's event loop (spawnSync blocks it), so a sentinel request the daemon refuses is sent
 * first: once its line is read, every line the daemon wrote before it is too, and an absent line is absent.
 */
async function outcome(before: number, args: string[]): Promise<string> {
  const mark = `sentinel-${++sentinels}`;
  await rawRun({ argv: [mark], package: dir });
  while (!runs().slice(before).some((l) => l.includes(`nomia ${mark} →`))) await new Promise((r) => setTimeout(r, 20));
  const line = `nomia --store ${store} ${args.join(' ')}`.slice(0, 200);
  return runs().slice(before).filter((l) => l.includes(line)).join('\n');
}

/** Run `args` through the client and the Node CLI; assert the same bytes and status, and that a spare ran it. */
async function same(args: string[], options: { input?: string; cwd?: string; settle?: boolean } = {}): Promise<Run> {
  // A realize's first run builds, the next reuse: compare two runs that find the store alike.
  if (options.settle) nomia(store, args, { ...options, cwd: options.cwd ?? dir });
  const plain = nomia(store, args, { ...options, cwd: options.cwd ?? dir });
  const before = runs().length;
  const warm = client(args, options);
  assert.equal(warm.code, plain.code, `${args.join(' ')}: ${warm.err}`);
  assert.equal(warm.out, plain.out);
  assert.equal(timeless(warm.err), timeless(plain.err));
  assert.match(await outcome(before, args), /started in spare \d+/, `a spare ran ${args.join(' ')}`);
  return warm;
}

function ready(t: TestContext): boolean {
  return requireTool(t, 'cc', 'gcc') && daemon !== undefined;
}

describe('commands run by a spare process for the native client', () => {
  before(async () => {
    if (!hasTool('cc')) return;
    const built = spawnSync('sh', [join(packageRoot, 'client', 'build.sh')], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    assert.equal(built.stderr, '', 'the client builds without a warning');
    daemon = await startDaemon(store, socket);
  });
  after(() => {
    daemon?.child.kill('SIGTERM');
  });

  test('parse, a realize, an error with its hint: the same bytes and exit status as the Node CLI', async (t) => {
    if (!ready(t)) return;
    await same(['parse', 'a:b(c: d:e)']);
    await same(['parse', '--json', 'let x = a:b in c:c(y: $x)']);
    await same(['realize', '--no-memo', 'exec:run?args=[sh, -c, "echo warm > $out"]'], { settle: true });
    const failed = await same(['realize', 'nosuch:x']);
    assert.equal(failed.code, 1);
    assert.match(failed.err, /error\[usage\]: there is no namespace `nosuch`\n {2}hint: known namespaces/);
    await same(['--version']);
    await same(['realize', '--help']);
  });

  test('standard input is the client\'s (here a socket, relayed): `-f -`, `parse -`, filesystem:stdin', async (t) => {
    if (!ready(t)) return;
    await same(['parse', '-'], { input: 'a:b(c: d:e)' });
    await same(['realize', '--no-memo', '-f', '-'], { input: 'exec:run?args=[sh, -c, "echo from-stdin > $out"]', settle: true });
    const r = await same(['realize', '--no-memo', 'filesystem:stdin?name=piped'], { input: 'piped bytes\n', settle: true });
    assert.equal(readFileSync(r.out.split('\n')[1]!, 'utf8'), 'piped bytes\n');
  });

  test('standard input a pipe: read by `parse -`, and left to the next command by one that does not read it', async (t) => {
    if (!ready(t)) return;
    const before = runs().length;
    const loop = spawnSync('sh', ['-c', `printf 'a:x\\nb:y\\nc:z\\n' | while read n; do "$0" --store "$1" parse "$n"; done; echo 'p:q' | "$0" --store "$1" parse -`, clientPath, store], { env: env(), encoding: 'utf8' });
    assert.equal(loop.status, 0, loop.stderr);
    assert.equal(loop.stdout, 'a:x\nb:y\nc:z\np:q\n');
    for (const args of [['parse', 'a:x'], ['parse', 'b:y'], ['parse', 'c:z'], ['parse', '-']]) assert.match(await outcome(before, args), /started in spare/);
  });

  test('the package\'s command, bin/nomia, reached through a link as npm makes one, runs the native client', async (t) => {
    if (!ready(t)) return;
    const link = join(dir, 'nomia-link');
    symlinkSync(join(packageRoot, 'bin', 'nomia'), link);
    const before = runs().length;
    const r = spawnSync(link, ['--store', store, 'parse', 'linked:x'], { env: env(), cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'linked:x\n');
    assert.match(await outcome(before, ['parse', 'linked:x']), /started in spare/);
  });

  test('two clients at once each get their own command\'s output', async (t) => {
    if (!ready(t)) return;
    const one = (name: string) => new Promise<string>((resolveOut) => {
      const c = spawn(clientPath, ['--store', store, 'parse', name], { env: env(), cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      c.on('close', (code) => resolveOut(`${code} ${out}`));
    });
    assert.deepEqual(await Promise.all([one('first:a'), one('second:b')]), ['0 first:a\n', '0 second:b\n']);
  });

  test('Ctrl-C at the client stops the command (128 + SIGINT), and its spare is gone', async (t) => {
    if (!ready(t)) return;
    // `parse -` with a standard input that never ends: the command waits in a read until it is stopped.
    const before = runs().length;
    const c = spawn(clientPath, ['--store', store, 'parse', '-'], { env: env(), cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    const started = await logged(before, /parse - → started in spare \d+/);
    const pid = Number(/spare (\d+)/.exec(started)![1]);
    const code = new Promise<number | null>((r) => c.on('close', (status) => r(status)));
    c.kill('SIGINT');
    assert.equal(await code, 130);
    await logged(before, /parse - → exit 130/);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    c.stdin!.destroy();
  });

  test('no daemon, another package, a command that runs itself: the Node CLI runs it, with the same output', async (t) => {
    if (!ready(t)) return;
    const other = join(dir, 'no-daemon-store');
    const plain = nomia(other, ['parse', 'a:b']);
    const fallen = client(['parse', 'a:b'], { store: other });
    assert.deepEqual(fallen, plain);
    const before = runs().length;
    const off = client(['parse', 'a:b'], { env: { NOMIA_NO_DAEMON: '1' } });
    assert.deepEqual(off, plain);
    assert.equal(client(['daemon', '--help']).code, 0);
    assert.match(await outcome(before, ['daemon', '--help']), /daemon --help → fall back: `daemon` runs in its own process/);
    assert.ok(!runs().slice(before).some((l) => l.includes(`--store ${store} parse a:b`)), 'NOMIA_NO_DAEMON=1 did not ask the daemon');
  });

  test('a request from another package is answered "fall back", never run', async (t) => {
    if (!ready(t)) return;
    const frames = await rawRun({ package: dir });
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.type, 'F');
    assert.match(frames[0]!.payload.toString(), /the daemon runs .*, not /);
  });

  test('after the code changes (dist/ rebuilt), no spare started before runs a command', async (t) => {
    if (!ready(t)) return;
    // The spare waiting now: the one child of the daemon that is not running anything.
    const children = () => readdirSync(`/proc/${daemon!.child.pid}/task`).flatMap((task) => readFileSync(`/proc/${daemon!.child.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    await same(['parse', 'warm:up']);
    const waitingBefore = new Set(children());
    assert.ok(waitingBefore.size > 0, 'a spare waits');
    // What a build does to every file it writes, seen as inotify sees it.
    const now = new Date();
    utimesSync(join(distSrc, 'cli', 'version.js'), now, now);
    const before = runs().length;
    const r = client(['parse', 'after:change']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'after:change\n');
    const said = await outcome(before, ['parse', 'after:change']);
    const ranIn = /started in spare (\d+)/.exec(said);
    assert.ok(ranIn === null || !waitingBefore.has(Number(ranIn[1])), `a spare started before the change ran the command: ${said}`);
  });

  test('nomia ninja on a small CMake project: a no-op as the Node CLI gives it, then an edit rebuilds (never a stale result)', async (t) => {
    if (!ready(t) || !cmakeReady(t, 'checked below')) return;
    const toolchain = realizeCmakeToolchain(store, dir);
    const src = join(dir, 'tiny');
    const build = join(dir, 'tiny-build');
    mkdirSync(src);
    writeFileSync(join(src, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.10)\nproject(tiny C)\nadd_executable(hello main.c greet.c)\n');
    writeFileSync(join(src, 'greet.c'), '#include <stdio.h>\nvoid greet(const char *s) { puts(s); }\n');
    const main = (word: string) => writeFileSync(join(src, 'main.c'), `void greet(const char *s);\nint main(void) { greet("${word}"); return 0; }\n`);
    main('first');
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });
    const args = ['ninja', '-C', build, '--toolchain', toolchain];
    const cold = client(args);
    assert.equal(cold.code, 0, cold.err);
    const hello = () => execFileSync(join(build, 'hello'), { encoding: 'utf8' });
    assert.equal(hello(), 'first\n');
    await same(args, { settle: true });
    main('second');
    const rebuilt = client([...args, '--log-format', 'json']);
    assert.equal(rebuilt.code, 0, rebuilt.err);
    assert.ok(rebuilt.err.split('\n').some((l) => l.startsWith('{') && /"kind":"realizing".*cc:compile/.test(l)), 'the edited file was compiled');
    assert.equal(hello(), 'second\n');
  });
});
