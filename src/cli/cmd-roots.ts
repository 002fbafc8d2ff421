/** `nomia roots`, `nomia root add`, `nomia root remove`. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { addRoot, listRoots, parseDuration, removeRoot } from '../store/roots.js';
import { byContentName, locate, parseObjectRef } from './object-ref.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('roots')
    .summary('list the roots that keep objects alive')
    .description('List named roots (absolute, process-conditional, lease-conditional), out-links (`nomia realize -o`)\nand the temporary roots of running operations, with whether each is live. Temporary roots of processes\nthat have exited hold nothing: they are not listed, and are dropped.')
    .option('--json', 'print [{name, kind, live, why, object}]')
    .action((opts: { json?: boolean }, cmd: Command) => run(() => ({
      go: () => withStore(cmd, (store) => {
        const rows = listRoots(store).map((s) => {
          const o = s.root.object ? store.db.object(s.root.object) : undefined;
          return { name: s.root.name, kind: s.root.kind, live: s.live, why: s.why, object: o ? byContentName(o) : s.root.object || '(nothing)' };
        });
        if (opts.json) return JSON.stringify(rows, null, 2);
        if (rows.length === 0) return 'no roots';
        return rows.map((r) => `${r.name}  ${r.live ? 'live' : 'dead'} (${r.why})\n  ${r.object}`).join('\n');
      }, { readOnly: 'if-needed' }),
    })));

  const root = program.command('root').summary('add or remove a root').description('Manage named roots. See `nomia root add --help`.');
  root
    .command('add')
    .summary('root an object so gc keeps it')
    .description('Create (or replace) the root NAME on OBJECT. Without options the root is absolute: it holds until removed.')
    .argument('<root-name>', 'the root name (letters, digits and . _ @ + : / -)')
    .argument('<object>', 'a by-content name, store path or hash')
    .option('--pid <pid>', 'hold only while this process runs', (v: string) => {
      if (!/^\d+$/.test(v)) throw new NomiaError('usage', `--pid ${v} is not a process id`);
      return Number(v);
    })
    .option('--lease <duration>', 'hold only for this long: 30s, 15m, 2h, 7d')
    .action((name: string, object: string, opts: { pid?: number; lease?: string }, cmd: Command) => run(() => ({
      go: () => withStore(cmd, (store) => {
        if (opts.pid !== undefined && opts.lease !== undefined) throw new NomiaError('usage', 'give --pid or --lease, not both');
        const path = locate(store, parseObjectRef(object, store)).object.path;
        const row = opts.pid !== undefined ? addRoot(store, { name, object: path, kind: 'process', pid: opts.pid })
          : opts.lease !== undefined ? addRoot(store, { name, object: path, kind: 'lease', expiresAt: Date.now() + parseDuration(opts.lease) })
          : addRoot(store, { name, object: path, kind: 'absolute' });
        return `root ${row.name} (${row.kind}) -> ${path}`;
      }),
    })));
  root
    .command('remove')
    .summary('remove a root')
    .description('Remove the named root ROOT-NAME (`nomia roots` lists them). What it kept is deleted by the next `nomia gc`, unless another root still reaches it. An out-link (`nomia realize -o`) goes when its symlink is deleted.')
    .argument('<root-name>', 'the root to remove')
    .action((name: string, _opts: unknown, cmd: Command) => run(() => ({
      go: () => withStore(cmd, (store) => {
        removeRoot(store, name);
        return `removed root ${name}`;
      }),
    })));
}
