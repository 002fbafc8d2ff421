/**
 * bench/service-profile: where the time of one `nomia up` of a chain goes
 * (docs/namespaces/service.md, "Where the time goes"). Starts a chain of
 * CHAIN (default 20) busybox httpd services, each needing the one before,
 * with no supervisor running (`--warm`: with one running), under
 * `NOMIA_SERVICE_TRACE` (trace.ts), and
 * prints from the trace: when the CLI, the supervisor and the first and
 * last service reached each step (ms after the CLI's process started), and
 * the median and sum of each step of a hop (one service, its dependency
 * ready). `node dist/bench/service-profile.js [--warm] [CHAIN]`; KEEP_TRACE=FILE
 * keeps the trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './measure.js';

const warm = process.argv.includes('--warm');
const CHAIN = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20);
const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const dir = mkdtempSync(join('/dev/shm', 'nomia-bench-service-profile-'));
const store = join(dir, 'store');
const tracePath = join(dir, 'trace');
const env = { ...process.env, NOMIA_FSYNC: '0' };

function nomia(args: string[], extra: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [bin, '--store', store, ...args], { encoding: 'utf8', env: { ...env, ...extra }, cwd: dir });
  if (r.status !== 0) throw new Error(`nomia ${args[0]} failed: ${r.stderr}`);
  return r.stdout.trim();
}

mkdirSync(join(dir, 'www'));
writeFileSync(join(dir, 'www', 'index.html'), 'hello\n');
const tools = nomia(['bootstrap-tools']);
const www = nomia(['add', '--name', 'www', join(dir, 'www')]);
const decls: string[] = [];
for (let j = 0; j < CHAIN; j++) {
  const port = await freePort();
  decls.push(`s${j} = service:process?args=[httpd, -f, -p, "127.0.0.1:${port}", -h, $www]&ready="http://127.0.0.1:${port}/"&name=s${j}(exe: ${tools}/bin/busybox, www: ${www}${j ? `, prev: $s${j - 1}` : ''})`);
}
// --warm: with the supervisor already running (a service of its own keeps it), as a second `up` in a session finds it.
// Started under the trace too (the supervisor appends to the file its starter named), which is then emptied.
if (warm) {
  nomia(['up', '--root', 'keeper', `service:process?args=[sleep, 1000](exe: ${tools}/bin/busybox)`], { NOMIA_SERVICE_TRACE: tracePath });
  writeFileSync(tracePath, '');
}
nomia(['up', '--root', 'chain', '--log-format', 'json', `let ${decls.join('; ')} in $s${CHAIN - 1}`], { NOMIA_SERVICE_TRACE: tracePath });
const load = loadavg()[0]!.toFixed(2);
nomia(['down', 'chain']);

interface Step { readonly t: number; readonly pid: string; readonly what: string }
const steps: Step[] = readFileSync(tracePath, 'utf8').trim().split('\n').map((l) => {
  const [t, pid, ...what] = l.split(' ');
  return { t: Number(t), pid: pid!, what: what.join(' ') };
});
const cliPid = steps.find((s) => s.what.startsWith('cli:'))!.pid;
const origin = steps.find((s) => s.pid === cliPid && s.what === 'origin')!.t;
const at = (s: Step) => `${(s.t - origin).toFixed(1).padStart(8)} ms`;

console.log(`bench/service-profile: one nomia up of a chain of ${CHAIN}, ${warm ? 'the supervisor running' : 'no supervisor running'}; load average ${load}`);
const milestones = /^(cli: |client: starting|supervisor: (started|listening|store loaded|start-all .*asked|start-all answered))/;
for (const s of steps) if (milestones.test(s.what)) console.log(`  ${at(s)}  ${s.what}`);

/** When service `label` reached `step` in the supervisor (its last time: a restart would be later). */
const when = (label: string, step: string) => steps.filter((s) => s.what === `supervisor: ${label} ${step}`).at(-1)?.t ?? NaN;
const labels = Array.from({ length: CHAIN }, (_, j) => `s${j}`);
console.log(`  ${(when('s0', 'spawning') - origin).toFixed(1).padStart(8)} ms  the first service spawned; ${(when(labels.at(-1)!, 'probe passed') - origin).toFixed(1)} ms the last ready`);
/** Each hop's parts (service j, the one before ready): from one step to the next. */
const HOP: [string, (j: number) => number][] = [
  ['the one before ready → this one spawning', (j) => when(`s${j}`, 'spawning') - when(`s${j - 1}`, 'probe passed')],
  ['spawn (fork and exec of httpd)', (j) => when(`s${j}`, 'spawned') - when(`s${j}`, 'spawning')],
  ['  of which the spawn call (fork until httpd\'s exec)', (j) => when(`s${j}`, 'forked') - when(`s${j}`, 'fork')],
  ['spawned → probe passed', (j) => when(`s${j}`, 'probe passed') - when(`s${j}`, 'spawned')],
  ['the whole hop (ready to ready)', (j) => when(`s${j}`, 'probe passed') - when(`s${j - 1}`, 'probe passed')],
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
for (const [what, gap] of HOP) {
  const gaps = labels.slice(1).map((_, i) => gap(i + 1)).filter((g) => !Number.isNaN(g));
  console.log(`  ${what.padEnd(56)} median ${median(gaps).toFixed(2).padStart(6)} ms   sum ${gaps.reduce((a, b) => a + b, 0).toFixed(0).padStart(5)} ms  (${gaps.length})`);
}
const failed = steps.filter((s) => s.what.endsWith('probe failed')).length;
console.log(`  probes refused before the one that passed: ${failed} in ${CHAIN} services`);
// The supervisor's writes for after its death (the `run` roots, then state.json), on its thread between a spawn and its probe.
const answered = steps.find((s) => s.what === 'supervisor: start-all answered')?.t ?? Infinity;
const writes = steps.flatMap((s, i) => s.what === 'supervisor: run roots' && s.t < answered && steps[i + 2]?.what === 'supervisor: state saved'
  ? [[steps[i + 1]!.t - s.t, steps[i + 2]!.t - steps[i + 1]!.t] as const] : []);
if (writes.length) {
  console.log(`  after each spawn: run roots median ${median(writes.map((w) => w[0])).toFixed(2)} ms, state.json saved median ${median(writes.map((w) => w[1])).toFixed(2)} ms (${writes.length})`);
}
if (process.env['KEEP_TRACE']) writeFileSync(process.env['KEEP_TRACE'], readFileSync(tracePath));
if (warm) nomia(['down', 'keeper']);
// The supervisor exits 2 s after its last service: its store goes once it has.
await sleep(2600);
rmSync(dir, { recursive: true, force: true });
