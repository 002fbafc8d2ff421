/**
 * bench/realize: the engine on a generated 10 000-node graph, through the
 * real CLI, side by side with `make` on an equivalent generated Makefile.
 *
 * The graph: ten layers of 1 000 nodes, 1 000 leaves `context:value?v=…` and
 * 9 000 `text:digest` nodes each taking two neighbours of the layer below,
 * and one root over the top layer. Three measurements:
 * cold realize (every node runs); no-op realize with everything recorded
 * (target < 0.3 s for the whole CLI process); after changing one leaf (only
 * its path to the root reruns, the rest are lookups). The peer: `make` on the
 * same graph as file targets: cold build, `make -q` (is everything up to
 * date?) and the rebuild after touching one leaf. `--quick`: 2 000 nodes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const N = quick ? 2_000 : 10_000;
const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const dir = mkdtempSync(join('/dev/shm', 'nomia-bench-realize-'));
const store = join(dir, 'store');

// Ten layers of WIDTH nodes; layer 0 are the leaves. Each node above takes the nodes j and j+1 of the layer
// below (wrapping), like compile → link steps, so a leaf reaches a cone of about twenty nodes.
const WIDTH = N / 10;
const deps: number[][] = [];
for (let i = 0; i < N; i++) {
  const layer = Math.floor(i / WIDTH);
  const j = i % WIDTH;
  deps.push(layer === 0 ? [] : [(layer - 1) * WIDTH + j, (layer - 1) * WIDTH + ((j + 1) % WIDTH)]);
}
const top = Array.from({ length: WIDTH }, (_, j) => N - WIDTH + j);

function nameText(changedLeaf = -1): string {
  const decls = deps.map((ds, i) => (ds.length === 0
    ? `n${i} = context:value?v=leaf${i}${i === changedLeaf ? 'x' : ''}`
    : `n${i} = text:digest?i=${i}(${ds.map((d, j) => `p${j}: $n${d}`).join(', ')})`));
  return `compose\n${decls.join(';\n')};\ntext:digest?root=1(${top.map((t) => `t${t}: $n${t}`).join(', ')})`;
}

function makefile(): string {
  const lines = [`all: ${top.map((t) => `n${t}`).join(' ')}`, ''];
  deps.forEach((ds, i) => {
    if (ds.length === 0) return;
    lines.push(`n${i}: ${ds.map((d) => `n${d}`).join(' ')}`, '\t@cat $^ | sha256sum > $@', '');
  });
  return lines.join('\n');
}

function time(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'], input: opts.input ?? '', ...(opts.cwd ? { cwd: opts.cwd } : {}), maxBuffer: 1 << 26 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0 && !(cmd === 'make' && args.includes('-q') && r.status === 1)) throw new Error(`${cmd} ${args.slice(0, 4).join(' ')} failed: ${String(r.stderr).split('\n').filter((l) => !l.startsWith('{')).slice(-5).join('\n')}`);
  return s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const realizeArgs = ['--store', store, 'realize', '--log-format', 'json', '-'];

console.log(`bench/realize — node ${process.version}, ${N}-node graph (10 layers of ${WIDTH}), under ${dir}`);
const text = nameText();
const cold = time(process.execPath, [bin, ...realizeArgs], { input: text });
const noop = median([1, 2, 3].map(() => time(process.execPath, [bin, ...realizeArgs], { input: text })));
const changed = nameText(WIDTH - 1);
const leaf = time(process.execPath, [bin, ...realizeArgs], { input: changed });
const events = spawnSync(process.execPath, [bin, ...realizeArgs.slice(0, -1), 'plain', '-'].filter((a, i, all) => !(a === 'json' && all[i - 1] === '--log-format')), { input: nameText(WIDTH - 2), encoding: 'utf8' }).stderr;
const reran = (events.match(/^realizing /gm) ?? []).length;

const mk = join(dir, 'make');
execFileSync('mkdir', ['-p', mk]);
writeFileSync(join(mk, 'Makefile'), makefile());
for (let i = 0; i < WIDTH; i++) writeFileSync(join(mk, `n${i}`), `leaf${i}\n`);
const makeCold = time('make', ['-s', '-j2'], { cwd: mk });
const makeNoop = median([1, 2, 3].map(() => time('make', ['-q'], { cwd: mk })));
writeFileSync(join(mk, `n${WIDTH - 1}`), 'changed\n');
const makeLeaf = time('make', ['-s', '-j2'], { cwd: mk });

const row = (label: string, ours: number, peer: number) =>
  console.log(`  ${label.padEnd(28)} nomia ${ours.toFixed(3).padStart(7)} s   make ${peer.toFixed(3).padStart(7)} s   nomia / make = ${(ours / peer).toFixed(2)}×`);
row('cold (everything runs)', cold, makeCold);
row('no-op (all recorded)', noop, makeNoop);
row('one leaf changed', leaf, makeLeaf);
console.log(`  nodes rerun after a one-leaf change: ${reran} of ${N + 1} (the leaf's path to the root; the rest are lookups)`);
console.log(`  target: no-op < 0.3 s for the whole CLI process: ${noop < 0.3 ? 'met' : 'NOT met'}`);
spawnSync('rm', ['-rf', dir]);
