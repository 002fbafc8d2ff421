/**
 * bench/service-profile: where the time of one `nomia up` of a chain goes
 * (docs/namespaces/service.md, "Where the time goes"). Starts a chain of
 * CHAIN (default 20) busybox httpd services, each needing the one before,
 * with no supervisor running, under `NOMIA_SERVICE_TRACE` (trace.ts), and
 * prints from the trace: when the CLI, the supervisor and the first and
 * last service reached each step (ms after the CLI's process started), and
 * the median and sum of each step of a hop (one service, its dependency
 * ready). `node dist/bench/service-profile.js [CHAIN]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './measure.js';

const CHAIN = Number(process.argv[2] ?? 20);
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
nomia(['up', '--root', 'chain', '--log-format', 'json', `let ${decls.join('; ')} in $s${CHAIN - 1}`], { NOMIA_SERVICE_TRACE: tracePath });
const load = loadavg()[0]!.toFixed(2);
nomia(['down', '--all']);

interface Step { readonly t: number; readonly pid: string; readonly what: string }
const steps: Step[] = readFileSync(tracePath, 'utf8').trim().split('\n').map((l) => {
  const [t, pid, ...what] = l.split(' ');
  return { t: Number(t), pid: pid!, what: what.join(' ') };
});
const cliPid = steps.find((s) => s.what.startsWith('cli:'))!.pid;
const origin = steps.find((s) => s.pid === cliPid && s.what === 'origin')!.t;
const at = (s: Step) => `${(s.t - origin).toFixed(1).padStart(8)} ms`;

console.log(`bench/service-profile: one nomia up of a chain of ${CHAIN}, no supervisor running; load average ${load}`);
const milestones = /^(cli: |client: starting|supervisor: (started|listening|store loaded))/;
for (const s of steps) if (milestones.test(s.what)) console.log(`  ${at(s)}  ${s.what}`);
const starting = steps.filter((s) => / starting$/.test(s.what) && s.what.startsWith('namespace:'));
const ready = steps.filter((s) => / ready$/.test(s.what) && s.what.startsWith('namespace:'));
console.log(`  ${at(starting[0]!)}  the first service asked for; ${at(ready.at(-1)!).trim()} the last ready`);

/** Each hop's steps, in the order they happen: the time from the previous step to this one. */
const HOP = [
  ['the engine: dependency ready → next service asked for', /^namespace: \S+ ready$/, /^namespace: \S+ starting$/],
  ['the question reaches the supervisor', /^client: ask$/, /^supervisor: start \S+ asked$/],
  ['the port-taken check', /^supervisor: start \S+ asked$/, /port checked$/],
  ['spawn (fork and exec of httpd)', /port checked$/, /spawned$/],
  ['spawned → probe passed', /spawned$/, /probe passed$/],
  ['the answer reaches the namespace', /^supervisor: start answered$/, /^namespace: \S+ ready$/],
] as const;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
for (const [what, from, to] of HOP) {
  const gaps: number[] = [];
  let last: number | undefined;
  for (const s of steps) {
    if (from.test(s.what)) last = s.t;
    else if (to.test(s.what) && last !== undefined) {
      gaps.push(s.t - last);
      last = undefined;
    }
  }
  console.log(`  ${what.padEnd(56)} median ${median(gaps).toFixed(2).padStart(6)} ms   sum ${gaps.reduce((a, b) => a + b, 0).toFixed(0).padStart(5)} ms  (${gaps.length})`);
}
const failed = steps.filter((s) => s.what.endsWith('probe failed')).length;
console.log(`  probes refused before the one that passed: ${failed} in ${CHAIN} services`);
// The supervisor exits 2 s after its last service: its store goes once it has.
await sleep(2600);
rmSync(dir, { recursive: true, force: true });
