/**
 * bench/cc's rows for `nomia ninja` through the native client with `nomia
 * daemon` running on the bench's store (a spare process runs it: no Node
 * start, no module loading), beside ninja and the Node CLI, alternated run
 * by run under the same load: no-op and one `.c` changed, medians of RUNS,
 * wall and CPU (user + sys: the client's and the daemon's with its spares,
 * which includes loading the spare that replaces the one used).
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { copy, type Bench } from './cc-peers.js';
import { timed } from './measure.js';
import { cpuWithChildren, nativeClient, startResidentDaemon } from './resident.js';

const RUNS = 5;

export interface ResidentProject {
  readonly name: string;
  readonly pristine: string;
  /** The `.c` file (relative to the source root) a change appends a function to. */
  readonly cFile: string;
}

interface Cell { wall: number[]; cpu: number[] }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Measure and print the rows; nothing (a line saying why) without a C compiler for the client. */
export async function residentRows(b: Bench & { env: NodeJS.ProcessEnv }, store: string, toolchain: string, projects: readonly ResidentProject[]): Promise<void> {
  const client = nativeClient();
  if (!client) {
    console.log('\nno C compiler: the native client was not built, its rows are left out');
    return;
  }
  const bin = new URL('../../bin/nomia.js', import.meta.url).pathname;
  const daemon = await startResidentDaemon(store, b.env, b.base);
  try {
    for (const p of projects) {
      const dirs = ['ninja', 'cli', 'client'].map((label) => {
        const src = copy(b, p.pristine, join(b.base, `${p.name}-resident-${label}`));
        b.run('cmake', ['-S', src, '-B', `${src}-build`, '-G', 'Ninja']);
        return src;
      });
      const nomiaArgs = (src: string) => ['--store', store, 'ninja', '-C', `${src}-build`, '-j', '2', '--toolchain', toolchain];
      const build = [
        (src: string) => b.run('ninja', ['-C', `${src}-build`, '-j2']),
        (src: string) => b.run(process.execPath, [bin, ...nomiaArgs(src)]),
        (src: string) => b.run(client, nomiaArgs(src)),
      ];
      build.forEach((f, i) => f(dirs[i]!));
      const scenario = (change?: (src: string, label: string, i: number) => void) => {
        const cells: Cell[] = build.map(() => ({ wall: [], cpu: [] }));
        for (let i = 0; i < RUNS; i++) {
          build.forEach((f, k) => {
            const src = dirs[k]!;
            change?.(src, ['ninja', 'cli', 'client'][k]!, i);
            const cpu0 = cpuWithChildren('self') + (k === 2 ? daemon.cpu() : 0);
            cells[k]!.wall.push(timed(() => f(src)));
            cells[k]!.cpu.push(cpuWithChildren('self') + (k === 2 ? daemon.cpu() : 0) - cpu0);
          });
        }
        return cells;
      };
      // Each copy gets its own change (named after it): one copy's compile is never another's reuse.
      const rows: [string, Cell[]][] = [
        ['no-op', scenario()],
        ['one .c changed', scenario((src, label, i) => appendFileSync(join(src, p.cFile), `int resident_${label}_${i}(void) { return ${i}; }\n`))],
      ];
      const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ');
      console.log(`\n${p.name}: nomia ninja through the native client, \`nomia daemon\` running (alternated, median of ${RUNS}, load ${load})`);
      console.log('| scenario | ninja | nomia ninja (Node CLI) | nomia ninja (client + spare) | client ÷ ninja | CPU ms: ninja | Node CLI | client + daemon |');
      console.log('|---|---|---|---|---|---|---|---|');
      for (const [label, cells] of rows) {
        const wall = cells.map((c) => median(c.wall));
        const cpu = cells.map((c) => median(c.cpu));
        console.log(`| ${label} | ${wall.map((w) => `${(w / 1000).toFixed(3)} s`).join(' | ')} | ${(wall[2]! / wall[0]!).toFixed(2)} | ${cpu.map((c) => c.toFixed(0)).join(' | ')} |`);
      }
    }
  } finally {
    await daemon.stop();
  }
}
