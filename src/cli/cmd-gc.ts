/** `nomia gc [--dry-run]`: delete what no live root reaches. */
import type { Command } from 'commander';
import type { CacheCollection } from '../namespace/types.js';
import { builtinNamespaces } from '../namespaces/index.js';
import { gc } from '../store/gc.js';
import { formatBytes } from './progress.js';
import { gcUpMemo } from './up-memo-gc.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('gc')
    .summary('delete objects no live root reaches')
    .description('Mark from live roots (absolute; process roots whose process runs; unexpired leases; out-links that still point into the store; temporary roots of running operations) through references, and delete every other object, dead conditional roots and out-links, and leftovers of interrupted work.')
    .option('--dry-run', 'only list what would be deleted')
    .option('--json', 'print {dead, bytesFreed, live, kept, expiredRoots, leftovers, caches: {<namespace> | up-memo: {removed, bytesFreed, inUse}}}')
    .action((opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => run(() => ({
      command: 'gc',
      go: () => withStore(cmd, async (store) => {
        const action = opts.dryRun ? 'list-dead' : 'delete';
        const r = gc(store, { action });
        // After the sweep: what namespaces keep beside the store, such as the deb cache's hints of objects
        // the sweep deleted (docs/namespaces/deb.md, "gc and the cache"); a dry run tells them what it would delete.
        const caches: Record<string, CacheCollection> = {};
        const swept = new Set(r.dead);
        for (const ns of builtinNamespaces) if (ns.collectGarbage) caches[ns.id] = await ns.collectGarbage(store, action, swept);
        // And the memo of `nomia up`, whose entries name services (up-memo-gc.ts).
        caches['up-memo'] = gcUpMemo(store.layout.home, action);
        if (opts.json) return JSON.stringify({ ...r, caches }, null, 2);
        const verb = opts.dryRun ? 'would delete' : 'deleted';
        const lines = r.dead.map((p) => `${verb} ${store.layout.storeDir}/${p}`);
        lines.push(`${verb} ${r.dead.length} object${r.dead.length === 1 ? '' : 's'}, ${formatBytes(r.bytesFreed)}; ${r.live} live`);
        if (r.kept.length) lines.push(`kept ${r.kept.length} dead object${r.kept.length === 1 ? '' : 's'} added by other users, which only they or root can delete (docs/store.md, "Several users")`);
        if (r.expiredRoots.length) lines.push(`${opts.dryRun ? 'would remove' : 'removed'} dead roots: ${r.expiredRoots.join(', ')}`);
        for (const [id, c] of Object.entries(caches)) {
          if (c.removed.length) lines.push(`${verb} ${c.removed.length} entr${c.removed.length === 1 ? 'y' : 'ies'} of the ${id} cache, ${formatBytes(c.bytesFreed)}`);
        }
        if (r.leftovers.length) lines.push(`${opts.dryRun ? 'would remove' : 'removed'} ${r.leftovers.length} leftover(s) of interrupted work`);
        return lines.join('\n');
      }),
    })));
}
