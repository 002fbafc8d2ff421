/**
 * bench/service-realize: the engine's own work in one `nomia up` of a chain
 * of services, without Node's start, module loading or the supervisor
 * (docs/namespaces/service.md, "One node per distinct application").
 *
 * Each run is a fresh Node process (so the engine's code runs cold, as in
 * the CLI) that loads the modules first, then times the parse and one
 * realize of the chain's name with the starts gathered (the namespace works
 * out each spec; nothing is asked of a supervisor, nothing is started):
 * CPU (user + sys, `process.cpuUsage`) and wall, and the events emitted.
 * `node dist/bench/service-realize.js [RUNS] [CHAIN]`; with `--child` it is
 * the measured process.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Sample { readonly parseCpu: number; readonly realizeCpu: number; readonly realizeWall: number; readonly events: number; readonly nodes: number }

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function child(store: string, nameFile: string): Promise<void> {
  const text = readFileSync(nameFile, 'utf8');
  const [{ realize }, { registry, runContext }, { openStore }, { parseName }, { gatherStarts }] = await Promise.all([
    import('../src/engine/realize.js'), import('../src/setup.js'), import('../src/store/store.js'), import('../src/name/parse.js'),
    import('../src/namespaces/service/gather.js'),
  ]);
  // The namespaces the name uses, loaded before the clock starts, as the rest is.
  await Promise.all([import('../src/namespaces/service/index.js'), import('../src/namespaces/filesystem/index.js')]);
  const s = openStore({ dir: store, fsync: false });
  const reg = registry(process.cwd());
  const c0 = cpu();
  const parsed = parseName(text);
  const c1 = cpu();
  const w1 = performance.now();
  const gathering = gatherStarts(s.layout.home);
  let events = 0;
  const { resolved } = await realize(parsed, { store: s, registry: reg, context: runContext(undefined), jobs: 8, onEvent: () => events++, source: text });
  gathering.close();
  const sample: Sample = { parseCpu: c1 - c0, realizeCpu: cpu() - c1, realizeWall: performance.now() - w1, events, nodes: resolved?.nodes.length ?? 0 };
  console.log(JSON.stringify(sample));
  await reg.close();
  s.close();
}

async function main(): Promise<void> {
  const [runs = 9, chain = 20] = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
  const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
  const dir = mkdtempSync(join('/dev/shm', 'nomia-bench-service-realize-'));
  const store = join(dir, 'store');
  const nomia = (args: string[]) => spawnSync(process.execPath, [bin, '--store', store, ...args], { encoding: 'utf8', env: { ...process.env, NOMIA_FSYNC: '0' } }).stdout.trim();
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'index.html'), 'hello\n');
  const tools = nomia(['bootstrap-tools']);
  const www = nomia(['add', '--name', 'www', join(dir, 'www')]);
  // Ports are never bound: nothing is started.
  const decls = Array.from({ length: chain }, (_, j) => `s${j} = service:process?args=[httpd, -f, -p, "127.0.0.1:${40000 + j}", -h, $www]&ready="http://127.0.0.1:${40000 + j}/"&name=s${j}(exe: ${tools}/bin/busybox, www: ${www}${j ? `, prev: $s${j - 1}` : ''})`);
  const nameFile = join(dir, 'chain.nomia');
  writeFileSync(nameFile, `let ${decls.join('; ')} in $s${chain - 1}`);
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', store, nameFile], { encoding: 'utf8', env: { ...process.env, NOMIA_FSYNC: '0' } });
    if (r.status !== 0) throw new Error(r.stderr);
    samples.push(JSON.parse(r.stdout) as Sample);
  }
  const med = (f: (s: Sample) => number) => {
    const xs = samples.map(f).sort((a, b) => a - b);
    return `${xs[Math.floor(xs.length / 2)]!.toFixed(1)} (${xs[Math.floor(xs.length / 4)]!.toFixed(1)}–${xs[Math.floor((3 * xs.length) / 4)]!.toFixed(1)})`;
  };
  console.log(`bench/service-realize: the realize of a chain of ${chain} services in a process of its own (median (quartiles) of ${runs}); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  nodes ${samples[0]!.nodes}, events ${samples[0]!.events}`);
  console.log(`  parse CPU ${med((s) => s.parseCpu)} ms; realize CPU ${med((s) => s.realizeCpu)} ms, wall ${med((s) => s.realizeWall)} ms`);
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
else await main();
