/** Reading objects: `nomia cat`, `nomia ls`, `nomia path`, `nomia dump`. */
import { createReadStream, lstatSync, readlinkSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { NomiaError, NomiaStoreError } from '../errors.js';
import { entries } from '../store/fs-util.js';
import { dumpPath, type FsPath } from '../store/nar.js';
import { locate, parseObjectRef } from './object-ref.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

const NAME_HELP = 'a by-content name (as `nomia add` prints), a store path, or a hash; may end in /sub/path';

function statAt(path: FsPath) {
  try {
    return lstatSync(path);
  } catch {
    const shown = path.toString();
    throw new NomiaStoreError('store/not-found', `${shown} does not exist inside the object`, { path: shown, hint: 'list the object with `nomia ls NAME`' });
  }
}

export function register(program: Command): void {
  program
    .command('cat')
    .summary('print a file of the store')
    .description('Write the contents of a file object (or a file inside a directory object) to stdout.')
    .argument('<name>', NAME_HELP)
    .action((name: string, _opts: unknown, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        const { path } = locate(store, parseObjectRef(name, store));
        const st = statAt(path);
        if (st.isDirectory()) throw new NomiaError('usage', `${name} is a directory`, { hint: 'list it with `nomia ls`' });
        try {
          await pipeline(createReadStream(path), process.stdout, { end: false });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EISDIR') throw new NomiaError('usage', `${name} is a symlink to a directory`, { hint: 'list it with `nomia ls`' });
          if (code === 'ENOENT' || code === 'ELOOP') throw new NomiaStoreError('store/not-found', `${name} is a symlink whose target does not exist`, { path });
          throw e;
        }
      }, { readOnly: true }),
    })));

  program
    .command('ls')
    .summary('list an object of the store')
    .description('List a directory object (or a sub-directory of one) like `ls -l`: type and mode, size, name, symlink targets.')
    .argument('<name>', NAME_HELP)
    .argument('[path]', 'a path inside the object (the same as appending /path to NAME)')
    .option('-R, --recursive', 'list sub-directories too')
    .option('--json', 'print [{path, type, size, executable, target}]')
    .action((name: string, sub: string | undefined, opts: { recursive?: boolean; json?: boolean }, cmd: Command) => run(() => ({
      go: () => withStore(cmd, (store) => {
        const ref = parseObjectRef(name, store);
        const { path } = locate(store, { ...ref, projection: [...ref.projection, ...(sub ?? '').split('/').filter((s) => s !== '')] });
        const rows: { path: string; type: string; size: number; executable: boolean; target?: string }[] = [];
        // Names that are not UTF-8 are walked as bytes and shown with U+FFFD.
        const visit = (p: FsPath, rel: string, top: boolean): void => {
          const st = statAt(p);
          if (st.isDirectory() && (top || opts.recursive)) {
            if (!top) rows.push({ path: rel, type: 'directory', size: 0, executable: false });
            for (const e of entries(p)) visit(e.path, rel ? `${rel}/${e.name.toString()}` : e.name.toString(), false);
            return;
          }
          if (st.isSymbolicLink()) rows.push({ path: rel || '.', type: 'symlink', size: 0, executable: false, target: readlinkSync(p, { encoding: 'buffer' }).toString() });
          else rows.push({ path: rel || '.', type: st.isDirectory() ? 'directory' : 'regular', size: st.isDirectory() ? 0 : st.size, executable: (st.mode & 0o100) !== 0 && !st.isDirectory() });
        };
        visit(path, '', true);
        if (opts.json) return JSON.stringify(rows, null, 2);
        return rows.map((r) => {
          const m = r.type === 'symlink' ? 'lrwxrwxrwx' : r.type === 'directory' ? 'dr-xr-xr-x' : r.executable ? '-r-xr-xr-x' : '-r--r--r--';
          return `${m} ${String(r.size).padStart(10)} ${r.path}${r.target === undefined ? '' : ` -> ${r.target}`}`;
        }).join('\n');
      }, { readOnly: true }),
    })));

  program
    .command('path')
    .summary('print the file-system path of an object')
    .description('Print the anomic name of an object: its absolute path in the store (with the projection applied).')
    .argument('<name>', NAME_HELP)
    .action((name: string, _opts: unknown, cmd: Command) => run(() => ({
      go: () => withStore(cmd, (store) => {
        const { path } = locate(store, parseObjectRef(name, store));
        statAt(path);
        return path;
      }, { readOnly: true }),
    })));

  program
    .command('dump')
    .summary('write an object as a NAR to stdout')
    .description('Serialize an object (or a path inside one) in the Nix archive format, byte-identical to `nix-store --dump`.')
    .addHelpText('after', `
Example:
  nomia dump NAME > x.nar`)
    .argument('<name>', NAME_HELP)
    .action((name: string, _opts: unknown, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        if (process.stdout.isTTY) throw new NomiaError('usage', 'refusing to write a binary NAR to a terminal', { hint: 'redirect it: nomia dump NAME > file.nar' });
        const { path } = locate(store, parseObjectRef(name, store));
        statAt(path);
        await dumpPath(path, writeAll);
      }, { readOnly: true }),
    })));
}

/** Write to stdout synchronously: dumpPath (and export) reuse their chunk after the sink returns. */
export function writeAll(chunk: Buffer): void {
  let off = 0;
  while (off < chunk.length) {
    try {
      off += writeSync(1, chunk, off, chunk.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
  }
}
