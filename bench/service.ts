/**
 * bench/service: time from `nomia up` to ready, beside a shell script that
 * starts the same process and polls the same probe (issue 19; target ≤ 1.2×
 * the script).
 *
 * 1. One trivial HTTP service (busybox httpd serving a by-content
 *    directory, probe `http://…/`): `nomia up` with no supervisor running
 *    (cold: it starts one) and with one running (warm), against `sh`
 *    starting httpd in the background and polling with `busybox wget` until
 *    it answers. Median of RUNS.
 * 2. Twenty services in a chain, each needing the one before (its endpoint
 *    in its environment): one `nomia up` of the last, against the script
 *    starting them one after another, each once the one before answers;
 *    with no supervisor running (it starts one), and with one running.
 *    The script polls at nomia's back-off (`WAITS`) and runs three times
 *    per chain of nomia's; every sample is printed, sorted, beside the
 *    medians.
 * 3. The second `nomia up` of the running service (answered from the memo
 *    of `up`), beside the floor of any command: Node's own start
 *    (`node -e ''`) and `nomia status`.
 *
 * 4. CPU time (user + sys) of the CLI and of the supervisor for the warm
 *    rows, which a loaded machine (other helpers' test runs) leaves
 *    comparable where wall time is mostly waiting for a core.
 *
 * 5. Warm `up` of one service and of the chain through the native client
 *    with `nomia daemon` running on the store (a spare process runs the
 *    command), alternated with the script; CPU of the client, the daemon
 *    with its spares, and the supervisor.
 *
 * Every process started is stopped before the next run (`nomia down`, kill).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { nextProbeWait, PROBE_FIRST_MS } from '../src/namespaces/service/probe.js';
import { freePort, timed } from './measure.js';
import { cpuWithChildren, nativeClient, startResidentDaemon } from './resident.js';

const RUNS = process.argv.includes('--quick') ? 3 : 7;
const CHAIN = 20;
const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const dir = mkdtempSync(join('/dev/shm', 'nomia-bench-service-'));
const store = join(dir, 'store');
const env = { ...process.env, NOMIA_FSYNC: '0' };

function nomia(args: string[], extra: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [bin, '--store', store, ...args], { encoding: 'utf8', env: { ...env, ...extra }, cwd: dir });
  if (r.status !== 0) throw new Error(`nomia ${args[0]} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * CPU time (user + system, ms) beside wall time, for runs on a loaded machine, where wall time is mostly
 * waiting for a core: the CLI's own, written at its exit by a preloaded reporter (it starts no process in
 * the rows measured so: the supervisor runs already), and the supervisor's from /proc (10 ms ticks).
 */
const cpuReport = join(dir, 'cpu-report.cjs');
const cpuFile = join(dir, 'cpu');
writeFileSync(cpuReport, "process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(process.env.NOMIA_BENCH_CPU, String((u.user + u.system) / 1000)); });\n");
const supervisorCpu = (): number => {
  const stat = readFileSync(`/proc/${readFileSync(join(store, 'services', 'supervisor.pid'), 'utf8').trim()}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
/** `nomia ARGS` with the supervisor running: wall ms, and the CPU ms of the CLI and of the supervisor. */
function withCpu(args: string[]): { wall: number; cli: number; supervisor: number } {
  const s0 = supervisorCpu();
  const wall = timed(() => nomia(args, { NODE_OPTIONS: `--require ${cpuReport}`, NOMIA_BENCH_CPU: cpuFile }));
  return { wall, cli: Number(readFileSync(cpuFile, 'utf8')), supervisor: supervisorCpu() - s0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

mkdirSync(join(dir, 'www'));
writeFileSync(join(dir, 'www', 'index.html'), 'hello\n');
const tools = nomia(['bootstrap-tools']);
const busybox = `${nomia(['path', tools])}/bin/busybox`;
const www = nomia(['add', '--name', 'www', join(dir, 'www')]);
const wwwPath = nomia(['path', www]);

function serviceName(port: number, label: string, prev?: string): string {
  return `service:process?args=[httpd, -f, -p, "127.0.0.1:${port}", -h, $www]&ready="http://127.0.0.1:${port}/"&name=${label}(exe: ${tools}/bin/busybox, www: ${www}${prev ? `, prev: $${prev}` : ''})`;
}

/**
 * The waits of the peer's polling, in seconds: the same schedule as nomia's probe (at once, then 1 ms growing
 * by half up to 50 ms, probe.ts). The peer used to wait 10 ms after a refused first `wget`, then 50 ms, so a
 * chain took ~30 ms when every first `wget` found httpd listening and ~200 ms when each hop slept: a bimodal
 * peer, slowed by a schedule nomia does not have.
 */
const WAITS = (() => {
  const out: string[] = [];
  const probe = { kind: 'http', host: '127.0.0.1', port: 1, path: '/' } as const;
  for (let w = PROBE_FIRST_MS; out.length < 40; w = nextProbeWait(w, probe)) out.push((w / 1000).toFixed(3));
  return out.join(' ');
})();

/** The peer: start each server once the one before answers, polling with busybox wget at nomia's back-off. */
function script(ports: readonly number[]): string {
  const lines = ports.map((p, i) => `prev=${i ? `127.0.0.1:${ports[i - 1]}` : ''} ${busybox} httpd -f -p 127.0.0.1:${p} -h ${wwwPath} >/dev/null 2>&1 & pids="$pids $!"
for w in ${WAITS}; do ${busybox} wget -q -O /dev/null http://127.0.0.1:${p}/ 2>/dev/null && break; ${busybox} sleep $w; done`);
  return `pids=\n${lines.join('\n')}\necho $pids`;
}

async function runScript(ports: readonly number[]): Promise<number> {
  let pids = '';
  const t = timed(() => {
    pids = spawnSync('sh', ['-c', script(ports)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).stdout.trim();
  });
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGTERM');
    } catch {
      // It did not stay up (its port was taken meanwhile by someone else's process): that run's time is still the script's.
    }
  }
  await sleep(50);
  return t;
}

async function supervisorGone(): Promise<void> {
  // It exits 2 s after its last service; wait so the next cold run starts one.
  await sleep(2600);
}

const one = { cold: [] as number[], warm: [] as number[], again: [] as number[], script: [] as number[], cli: [] as number[], node: [] as number[], cpu: [] as { cli: number; supervisor: number }[] };
const keeper = await freePort();
for (let i = 0; i < RUNS; i++) {
  const port = await freePort();
  one.cold.push(timed(() => nomia(['up', '--root', 'b', '--log-format', 'json', serviceName(port, 'one')])));
  nomia(['down', 'b']);
  await supervisorGone();
  nomia(['up', '--root', 'keeper', serviceName(keeper, 'keeper')]);
  const warm = withCpu(['up', '--root', 'b', '--log-format', 'json', serviceName(port, 'one')]);
  one.warm.push(warm.wall);
  one.cpu.push(warm);
  one.again.push(timed(() => nomia(['up', '--root', 'b', '--log-format', 'json', serviceName(port, 'one')])));
  one.node.push(timed(() => spawnSync(process.execPath, ['-e', ''])));
  // The floor of any nomia command: Node's start-up and one question to the supervisor.
  one.cli.push(timed(() => nomia(['status'])));
  nomia(['down', 'b']);
  nomia(['down', 'keeper']);
  one.script.push(await runScript([port]));
}

/** A chain of CHAIN services on new ports, and its ports. */
async function chainName(): Promise<{ text: string; ports: number[] }> {
  const ports: number[] = [];
  for (let j = 0; j < CHAIN; j++) ports.push(await freePort());
  const decls = ports.map((p, j) => `s${j} = ${serviceName(p, `s${j}`, j ? `s${j - 1}` : undefined)}`);
  return { text: `let ${decls.join('; ')} in $s${CHAIN - 1}`, ports };
}

const chain = { nomia: [] as number[], warm: [] as number[], script: [] as number[], cpu: [] as { cli: number; supervisor: number }[] };
for (let i = 0; i < Math.max(1, Math.floor(RUNS / 2)); i++) {
  const { text } = await chainName();
  await supervisorGone();
  chain.nomia.push(timed(() => nomia(['up', '--root', 'chain', '--log-format', 'json', text])));
  nomia(['down', 'chain']);
  // The peer is cheap and its spread is the point (a first wget that finds httpd listening or not): more samples.
  for (let k = 0; k < 3; k++) chain.script.push(await runScript((await chainName()).ports));
  // The same with the supervisor running: what the chain costs beyond starting one.
  const warm = await chainName();
  nomia(['up', '--root', 'keeper', serviceName(keeper, 'keeper')]);
  const measured = withCpu(['up', '--root', 'chain', '--log-format', 'json', warm.text]);
  chain.warm.push(measured.wall);
  chain.cpu.push(measured);
  nomia(['down', 'chain']);
  nomia(['down', 'keeper']);
}

// 5. Through the native client with `nomia daemon` running on this store: a spare process runs `up` (resident.ts).
// Alternated with the script, supervisor running; CPU is the client's, the daemon's with its spares', the supervisor's.
const resident = { one: [] as number[], chain: [] as number[], script: [] as number[], cpu: [] as number[] };
const client = nativeClient();
if (client) {
  const daemon = await startResidentDaemon(store, env, dir);
  const viaClient = (args: string[]) => {
    const r = spawnSync(client, ['--store', store, ...args], { encoding: 'utf8', env, cwd: dir });
    if (r.status !== 0) throw new Error(`nomia ${args[0]} through the client failed: ${r.stderr}`);
  };
  const cpuNow = () => cpuWithChildren('self') + daemon.cpu() + supervisorCpu();
  nomia(['up', '--root', 'keeper', serviceName(keeper, 'keeper')]);
  for (let i = 0; i < RUNS; i++) {
    const port = await freePort();
    const c0 = cpuNow();
    resident.one.push(timed(() => viaClient(['up', '--root', 'b', '--log-format', 'json', serviceName(port, 'one')])));
    resident.cpu.push(cpuNow() - c0);
    nomia(['down', 'b']);
    resident.script.push(await runScript([port]));
  }
  for (let i = 0; i < Math.max(1, Math.floor(RUNS / 2)); i++) {
    const { text } = await chainName();
    resident.chain.push(timed(() => viaClient(['up', '--root', 'chain', '--log-format', 'json', text])));
    nomia(['down', 'chain']);
  }
  nomia(['down', 'keeper']);
  await daemon.stop();
}

const rows: [string, number[], number[]][] = [
  ['one HTTP service, cold (starts the supervisor)', one.cold, one.script],
  ['one HTTP service, warm (supervisor running)', one.warm, one.script],
  ['the same service again, running (memo of up)', one.again, one.script],
  [`${CHAIN} services in a chain (starts the supervisor)`, chain.nomia, chain.script],
  [`${CHAIN} services in a chain, supervisor running`, chain.warm, chain.script],
];
if (client) {
  rows.push(['one service, warm, native client + daemon', resident.one, resident.script], [`${CHAIN} in a chain, warm, native client + daemon`, resident.chain, chain.script]);
}
console.log(`bench/service: from start to ready (median of ${RUNS}; chain: ${chain.nomia.length}, its script ${chain.script.length}), nomia up vs a shell script polling the same probe; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const [what, n, s] of rows) console.log(`  ${what.padEnd(52)} nomia ${ms(median(n)).padStart(8)}   script ${ms(median(s)).padStart(8)}   ratio ${(median(n) / median(s)).toFixed(2)}×`);
/** Every sample, sorted: the script's spread (one mode or two) says how far its median can be trusted. */
const spread = (xs: number[]) => [...xs].sort((a, b) => a - b).map((x) => x.toFixed(0)).join(' ');
console.log(`  samples (ms, sorted): one service: nomia warm ${spread(one.warm)}; script ${spread(one.script)}`);
console.log(`                        chain: nomia ${spread(chain.nomia)}; supervisor running ${spread(chain.warm)}; script ${spread(chain.script)}`);
const cli = median(one.cli);
console.log(`  Node's own start (\`node -e ''\`): ${ms(median(one.node))}`);
const cpuOf = (xs: { cli: number; supervisor: number }[]) => `the CLI ${ms(median(xs.map((x) => x.cli)))}, the supervisor ${ms(median(xs.map((x) => x.supervisor)))}`;
console.log(`  CPU (user + sys, medians), supervisor running: one service: ${cpuOf(one.cpu)}; ${CHAIN} in a chain: ${cpuOf(chain.cpu)}`);
console.log(`  the CLI's own start-up (\`nomia status\`): ${ms(cli)}; warm \`up\` less that: ${ms(median(one.warm) - cli)}; the chain less that: ${ms(median(chain.nomia) - cli)} (${ms((median(chain.nomia) - cli) / CHAIN)} a service)`);
if (client) console.log(`  through the native client (daemon and supervisor running): samples ${spread(resident.one)}; its script ${spread(resident.script)}; CPU (client + daemon with its spares + supervisor) ${ms(median(resident.cpu))}`);
// Its store in /dev/shm is memory: once the supervisor has gone with its last service, nothing of the run is kept.
await supervisorGone();
rmSync(dir, { recursive: true, force: true });
