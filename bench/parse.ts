/**
 * bench/parse: name-language throughput and spelling time.
 *
 * - parse, and parse + print, over a generated corpus of realistic names:
 *   small atomic names (like the seed's) and 1 000-node `compose` graphs;
 *   reported in MB/s and names/s, side by side with the peer: V8's
 *   JSON.parse (and JSON.stringify) of the same names' JSON form, the format
 *   other languages would exchange instead.
 * - flatten + spell of a 10 000-node graph.
 *
 * - the CLI end to end (issue 15): `nomia parse -` of a 10 MB `compose`
 *   name read from a file, wall time and peak RSS of the process, beside a
 *   Node process that does `JSON.stringify(JSON.parse(…))` of the same
 *   name's JSON form (the peer), and beside a no-op `nomia parse x:y`
 *   (the process's baseline memory).
 *
 * Targets (issue 2): ≥ 20 MB/s parse; 10 000-node graph spelled in < 100 ms.
 * Targets (issue 15): CLI parse + print ≥ 20 MB/s end to end; memory ≤ 10× the input.
 * The machine's other load counts in wall times: compare with the peer's
 * figures of the same run, not across runs.
 * Run: npm run bench   (or node dist/bench/parse.js [--quick])
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { flatten } from '../src/graph/flatten.js';
import { spell } from '../src/graph/spell.js';
import { formatExpression } from '../src/name/format.js';
import { toJson } from '../src/name/json.js';
import { parseName } from '../src/name/parse.js';
import { print } from '../src/name/print.js';

const quick = process.argv.includes('--quick');

let seed = 1;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}
const hex = (i: number) => createHash('sha256').update(String(i)).digest('hex');
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;

function smallName(i: number): string {
  switch (i % 6) {
    case 0: return `filesystem:by-content?name=bootstrap-tools&sha256=${hex(i)}/bin/bash`;
    case 1: return `git:exact-fetch?repo=https://github.com/NixOS/nixpkgs&rev=${hex(i).slice(0, 11)}`;
    case 2: return `gcc:compile?flags=[-O2, -Wall, "-DNAME=\\"x y\\""](filesystem:by-content?sha256=${hex(i)})`;
    case 3: return `private-filesystem?user=root:by-content?sha256=${hex(i)}`;
    case 4: return `package:build-in-sandbox?args=[bash, -c, $script](exe: filesystem:by-content?name=bootstrap-tools&sha256=${hex(i)}/bin/bash, script: filesystem:by-content?sha256=${hex(i + 1)})`;
    default: return `let src = git:latest?repo=https://example.org/r${i}&ref=main in unpack:tar?strip=1(fetch:url?url=https://example.org/${i}.tar.gz&sha256=${hex(i)}, src: $src)`;
  }
}

/** A compose of `n` declarations; each node takes 1–3 earlier ones, like a build graph. */
function composeGraph(n: number, salt: number): string {
  const decls: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = i === 0 ? 0 : 1 + rand(Math.min(3, i));
    const inputs = Array.from({ length: k }, (_, j) => `${pick(['src', 'dep', 'hdr'])}${j}: $n${rand(i)}`);
    const atom = `${pick(['cc', 'ld', 'exec'])}:${pick(['compile', 'link', 'run'])}?flags=[-O${rand(3)}, -g]&id=${salt}-${i}`;
    decls.push(`n${i} = ${atom}${k ? `(${inputs.join(', ')})` : ''}`);
  }
  decls.push(`top:result($n${n - 1})`);
  return `compose\n  ${decls.join(';\n  ')}`;
}

function time(f: () => void, minMs = quick ? 150 : 1000): number {
  f();
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    f();
    runs++;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return elapsed / runs / 1000;
}

function report(label: string, bytes: number, names: number, seconds: number, peerSeconds: number): void {
  const mbs = bytes / 1e6 / seconds;
  console.log(`${label.padEnd(34)} ${mbs.toFixed(1).padStart(7)} MB/s  ${Math.round(names / seconds).toLocaleString('en-US').padStart(11)} names/s   peer ${(bytes / 1e6 / peerSeconds).toFixed(1).padStart(7)} MB/s   ratio ${(seconds / peerSeconds).toFixed(2)}× the peer's time`);
}

function corpusBench(label: string, texts: string[]): void {
  const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t), 0);
  // Each side is timed with only its own inputs alive, so neither pays for the other's heap in GC.
  const parse = time(() => { for (const t of texts) parseName(t); });
  const both = time(() => { for (const t of texts) print(parseName(t)); });
  const streamed = time(() => { for (const t of texts) formatExpression(t); });
  let jsonTexts: string[] | undefined = texts.map((t) => JSON.stringify(toJson(parseName(t))));
  const jsonBytes = jsonTexts.reduce((s, t) => s + Buffer.byteLength(t), 0);
  const peerParse = time(() => { for (const j of jsonTexts!) JSON.parse(j); });
  const peerBoth = time(() => { for (const j of jsonTexts!) JSON.stringify(JSON.parse(j)); });
  jsonTexts = undefined;
  console.log(`\n${label}: ${texts.length} names, ${(bytes / 1e6).toFixed(2)} MB of text (${(jsonBytes / 1e6).toFixed(2)} MB as JSON)`);
  // The peer's MB/s is over the same names' text size, so both columns measure names, not bytes of different formats.
  report('  parse', bytes, texts.length, parse, peerParse);
  report('  parse + print', bytes, texts.length, both, peerBoth);
  report('  formatExpression (as the CLI)', bytes, texts.length, streamed, peerBoth);
}

function spellBench(n: number): void {
  const text = composeGraph(n, 99);
  const name = parseName(text);
  const graph = flatten(name, text);
  const parseS = time(() => parseName(text), 500);
  const flattenS = time(() => flatten(name, text), 500);
  const spellS = time(() => spell(graph), 500);
  console.log(`\nspelling a ${graph.nodes.length}-node graph (${graph.edges.length} edges, ${(text.length / 1e6).toFixed(2)} MB of text)`);
  console.log(`  parse ${(parseS * 1e3).toFixed(1)} ms, flatten ${(flattenS * 1e3).toFixed(1)} ms, spell ${(spellS * 1e3).toFixed(1)} ms, total ${((parseS + flattenS + spellS) * 1e3).toFixed(1)} ms   (target: spell < 100 ms)`);
  const ring = `compose ${Array.from({ length: n }, (_, i) => `a${i} = f:f(x: $a${(i + 1) % n}, y: $a${(i + 7) % n})`).join('; ')}`;
  const ringGraph = flatten(parseName(ring), ring);
  console.log(`  a ${n}-member cycle (one strongly connected component): spell ${(time(() => spell(ringGraph), 300) * 1e3).toFixed(1)} ms`);
}

/** A module preloaded into a child process that reports its peak RSS (KiB) on stderr at exit. */
const RSS_REPORTER = `process.on('exit', () => process.stderr.write('\\nmaxrss ' + process.resourceUsage().maxRSS + '\\n'));`;

interface ProcessRun { seconds: number; maxRssKiB: number; stdoutBytes: number }

/** Run `node [preload] args` with `stdin` from a file; the best wall time of `runs` and its peak RSS. */
function runNode(args: string[], stdinFile: string, runs: number): ProcessRun {
  let best: ProcessRun | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'nomia-bench-rss-'));
  const reporter = join(dir, 'rss.mjs');
  writeFileSync(reporter, RSS_REPORTER);
  const input = readFileSync(stdinFile);
  try {
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const r = spawnSync(process.execPath, ['--import', reporter, ...args], { input, maxBuffer: 1 << 30 });
      const seconds = (performance.now() - start) / 1000;
      const err = r.stderr.toString();
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${err}`);
      const maxRssKiB = Number(/maxrss (\d+)/.exec(err)?.[1] ?? NaN);
      if (!best || seconds < best.seconds) best = { seconds, maxRssKiB, stdoutBytes: r.stdout.length };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return best!;
}

function cliBench(): void {
  // About 10 MB of text, as in issue 15.
  const text = composeGraph(quick ? 14_000 : 140_000, 7);
  const dir = mkdtempSync(join(tmpdir(), 'nomia-bench-cli-'));
  try {
    const nameFile = join(dir, 'name.txt');
    const jsonFile = join(dir, 'name.json');
    writeFileSync(nameFile, text);
    writeFileSync(jsonFile, JSON.stringify(toJson(parseName(text))));
    const bytes = Buffer.byteLength(text);
    const jsonBytes = readFileSync(jsonFile).length;
    const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
    const runs = quick ? 1 : 3;
    const noop = runNode([bin, 'parse', 'x:y'], nameFile, runs);
    const cli = runNode([bin, 'parse', '-'], nameFile, runs);
    const peer = runNode(['-e', 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(0, "utf8"))))'], jsonFile, runs);
    const mb = (b: number) => (b / 1e6).toFixed(1);
    const rss = (r: ProcessRun) => `peak RSS ${mb(r.maxRssKiB * 1024).padStart(6)} MB (${(r.maxRssKiB * 1024 / bytes).toFixed(1)}× the name; ${((r.maxRssKiB - noop.maxRssKiB) * 1024 / bytes).toFixed(1)}× above the no-op)`;
    console.log(`\nCLI end to end: a ${mb(bytes)} MB compose name (${mb(jsonBytes)} MB as JSON), best of ${runs}, process start included`);
    console.log(`  nomia parse x:y (no-op)            ${noop.seconds.toFixed(2).padStart(6)} s                 peak RSS ${mb(noop.maxRssKiB * 1024).padStart(6)} MB`);
    console.log(`  nomia parse - < name               ${cli.seconds.toFixed(2).padStart(6)} s ${(bytes / 1e6 / cli.seconds).toFixed(1).padStart(6)} MB/s   ${rss(cli)}`);
    console.log(`  peer: node JSON.parse+stringify    ${peer.seconds.toFixed(2).padStart(6)} s ${(bytes / 1e6 / peer.seconds).toFixed(1).padStart(6)} MB/s   ${rss(peer)}   (MB/s over the name's text size)`);
    console.log(`  targets: ≥ 20 MB/s, ≤ 10× the name in memory; output ${mb(cli.stdoutBytes)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const smallCount = quick ? 5_000 : 60_000;
console.log(`bench/parse — node ${process.version}, ${quick ? 'quick' : 'full'} run; peer: JSON.parse / JSON.stringify of the same names' JSON AST`);
corpusBench('small atomic names', Array.from({ length: smallCount }, (_, i) => smallName(i)));
corpusBench('1 000-node compose graphs', Array.from({ length: quick ? 3 : 20 }, (_, i) => composeGraph(1000, i)));
spellBench(10_000);
cliBench();
