/** `nomia roots`, `nomia root add`, `nomia root remove`. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { addRoot, listRoots, parseDuration, removeRoot } from '../store/roots.js';
import { shellQuote } from './hints.js';
import { nth } from './keep-results.js';
import { byContentName } from './object-ref.js';
import { objectsNamed, QUERY_ARG_HELP } from './query-args.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('roots')
    .summary('list the roots that keep objects alive')
    .description('List named roots (absolute, process-conditional, lease-conditional), out-links (`nomia realize -o`) and the temporary roots of running operations, with whether each is live. Temporary roots of processes that have exited hold nothing: they are not listed, and are dropped.')
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
    .summary('root an object, or the recorded results of a name, so gc keeps them')
    .description('Create (or replace) the root ROOT-NAME on OBJECT. OBJECT is a store object (a by-content name, store path, hash or out-link), or any name realized before: then its recorded results are rooted, as `nomia realize --root` would root them (ROOT-NAME, ROOT-NAME-2, … for a name with several), and nothing is built. Without options the root is absolute: it holds until removed.')
    .argument('<root-name>', 'the root name (letters, digits and . _ @ + : / -)')
    .argument('<object>', QUERY_ARG_HELP)
    .option('--pid <pid>', 'hold only while this process runs', (v: string) => {
      if (!/^\d+$/.test(v)) throw new NomiaError('usage', `--pid ${v} is not a process id`);
      return Number(v);
    })
    .option('--lease <duration>', 'hold only for this long: 30s, 15m, 2h, 7d')
    .action((name: string, object: string, opts: { pid?: number; lease?: string }, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        if (opts.pid !== undefined && opts.lease !== undefined) throw new NomiaError('usage', 'give --pid or --lease, not both');
        const expiresAt = opts.lease === undefined ? undefined : Date.now() + parseDuration(opts.lease);
        const named = objectsNamed(store);
        let paths: string[];
        try {
          paths = await named.objects(object);
        } catch (e) {
          if (!(e instanceof NomiaError && e.code === 'query/not-realized')) throw e;
          // Rooting must not build (as `nix-store --add-root` takes a path that exists): realize says how to do both.
          throw new NomiaError(e.code, e.message, {
            hint: `\`nomia realize --root ${shellQuote(name)} ${shellQuote(object)}\` realizes it and roots its results; root add only roots what is already recorded`,
          });
        } finally {
          await named.close();
        }
        return paths.map((path, i) => {
          const spec = { name: nth(name, i), object: path };
          const row = opts.pid !== undefined ? addRoot(store, { ...spec, kind: 'process', pid: opts.pid })
            : expiresAt !== undefined ? addRoot(store, { ...spec, kind: 'lease', expiresAt })
            : addRoot(store, { ...spec, kind: 'absolute' });
          return `root ${row.name} (${row.kind}) -> ${path}`;
        }).join('\n');
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
