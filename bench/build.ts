/**
 * bench/build: what the build sandbox costs. 100 trivial builds (each
 * `echo > $out`, made distinct by a number in its arguments) under one
 * root, realized with `--jobs 2` through the real CLI:
 * in bubblewrap; with `--sandbox=none` (the same command, no isolation);
 * and, as the peer, `nix-build` of 100 equivalent derivations in Nix's own
 * sandbox (if Debian's nix can build here; reported if not). Also the raw
 * cost of one bubblewrap process against running /bin/true directly.
 * Everything runs on /dev/shm. `--quick`: 20 builds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const N = quick ? 20 : 100;
const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const dir = mkdtempSync(join('/dev/shm', 'nomia-bench-build-'));
const env = { ...process.env, NOMIA_FSYNC: '0' };

function run(cmd: string, args: string[], extraEnv: Record<string, string> = {}): { s: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...env, ...extraEnv }, maxBuffer: 1 << 26 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed (${r.status}): ${(r.stderr ?? '').split('\n').filter((l) => !l.startsWith('{')).slice(-8).join('\n')}`);
  return { s, out: r.stdout };
}

function nomia(store: string, args: string[]) {
  return run(process.execPath, [bin, '--store', store, ...args]);
}

/** One name: N builds, each a `busybox sh -c 'echo > $out'` with its number, and a root build over all of them. */
function nameText(tools: string): string {
  const builds = Array.from({ length: N }, (_, i) => `b${i}: package:build-in-sandbox?args=[sh, -c, "echo > $out", ${i}]&name=b${i}(exe: ${tools}/bin/busybox)`);
  return `package:build-in-sandbox?args=[sh, -c, "echo > $out", root]&name=root(exe: ${tools}/bin/busybox,\n  ${builds.join(',\n  ')})`;
}

function nomiaBuilds(mode: 'bubblewrap' | 'none'): number {
  const store = join(dir, `store-${mode}`);
  const tools = nomia(store, ['bootstrap-tools']).out.trim();
  return nomia(store, ['realize', '--jobs', '2', '--log-format', 'json', '--sandbox', mode, nameText(tools)]).s;
}

/** Milliseconds per process. */
function perProcess(): { bwrap: number; direct: number } {
  const k = quick ? 20 : 100;
  let t0 = performance.now();
  for (let i = 0; i < k; i++) run('/bin/true', []);
  const direct = (performance.now() - t0) / k;
  t0 = performance.now();
  for (let i = 0; i < k; i++) {
    run('bwrap', ['--unshare-all', '--die-with-parent', '--ro-bind', '/bin/busybox', '/bin/busybox', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--', '/bin/busybox', 'true']);
  }
  return { bwrap: (performance.now() - t0) / k, direct };
}

function nixBuilds(): number | string {
  const expr = `let bash = builtins.path { path = /bin/bash-static; name = "bash"; }; in
    builtins.genList (i: derivation { name = "t\${toString i}-${Date.now()}"; system = builtins.currentSystem; builder = bash; args = [ "-c" "echo > $out" ]; }) ${N + 1}`;
  const file = join(dir, 'builds.nix');
  writeFileSync(file, expr);
  const r = spawnSync('nix-build', [file, '--no-out-link', '-j', '2', '--option', 'substituters', '', '--option', 'sandbox', 'true'], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (r.error || r.status !== 0) return `nix-build could not build here: ${r.error?.message ?? r.stderr.trim().split('\n').slice(-3).join(' / ')}`;
  const t0 = performance.now();
  writeFileSync(file, expr.replace(/-\d+"/, `-${Date.now()}x"`));
  const again = spawnSync('nix-build', [file, '--no-out-link', '-j', '2', '--option', 'substituters', '', '--option', 'sandbox', 'true'], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (again.status !== 0) return `nix-build failed the second time: ${again.stderr.trim().split('\n').slice(-3).join(' / ')}`;
  return (performance.now() - t0) / 1000;
}

const fmt = (s: number) => `${s.toFixed(3)} s`;
console.log(`bench/build: ${N} trivial builds + 1 root, --jobs 2, on /dev/shm`);
const proc = perProcess();
console.log(`one process: /bin/true ${proc.direct.toFixed(1)} ms, in bwrap ${proc.bwrap.toFixed(1)} ms (sandbox start-up ≈ ${(proc.bwrap - proc.direct).toFixed(1)} ms)`);
const boxed = nomiaBuilds('bubblewrap');
const plain = nomiaBuilds('none');
console.log(`nomia, in the sandbox:     ${fmt(boxed)} (${((boxed / (N + 1)) * 1000).toFixed(1)} ms per build)`);
console.log(`nomia, --sandbox=none:     ${fmt(plain)} (${((plain / (N + 1)) * 1000).toFixed(1)} ms per build)`);
console.log(`sandbox overhead per build: ${(((boxed - plain) / (N + 1)) * 1000).toFixed(1)} ms; ratio sandbox/none ${(boxed / plain).toFixed(2)}×`);
const nix = nixBuilds();
if (typeof nix === 'number') {
  console.log(`nix-build (Nix sandbox):   ${fmt(nix)} (${((nix / (N + 1)) * 1000).toFixed(1)} ms per build)`);
  console.log(`ratio nomia/nix-build: ${(boxed / nix).toFixed(2)}×`);
} else {
  console.log(nix);
}
