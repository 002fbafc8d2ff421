/** `nomia hash`: the content hash of a path, or a hash converted between hex, Nix base32 and SRI. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { parseContentHash, toBase32, toHex, toSri, type ContentHash } from '../store/hash.js';
import { hashPath } from '../store/nar.js';
import { prefetchHash } from '../namespaces/fetch/prefetch.js';
import { run } from './run.js';

type Format = 'hex' | 'base32' | 'sri';

function show(h: ContentHash, format: Format): string {
  return format === 'hex' ? toHex(h) : format === 'base32' ? toBase32(h) : toSri(h);
}

export function register(program: Command): void {
  const hash = program.command('hash').summary('compute or convert content hashes').description('Content hashes are SHA-256 of the NAR serialization, as Nix computes narHash.');
  const format = (v: string): Format => {
    if (v !== 'hex' && v !== 'base32' && v !== 'sri') throw new NomiaError('usage', `--format ${v}: use hex, base32 or sri`);
    return v;
  };
  hash
    .command('path')
    .summary('hash a file or directory (like nix hash path)')
    .description('Print the content hash of each PATH: the SHA-256 of its NAR serialization, as `nix hash path` computes it. In hex it is the sha256= of the filesystem:by-content name `nomia add PATH` prints; nothing is stored.')
    .argument('<path...>', 'files, executables, symlinks or directories')
    .option('--format <format>', 'hex, base32 (Nix) or sri', format, 'hex' as Format)
    .action((paths: string[], opts: { format: Format }) => run(() => ({
      go: async () => {
        const lines: string[] = [];
        for (const p of paths) lines.push(show((await hashPath(p)).hash, opts.format));
        return lines.join('\n');
      },
    })));
  hash
    .command('file')
    .summary('the sha256 a fetch:url name needs for a file (like sha256sum, nix-prefetch-url)')
    .description('Print the SHA-256 of each file\'s bytes: the sha256= of fetch:url?url=…&sha256=… serving that file. With --unpack, unpack each archive as fetch:url?…&unpack=true does (a lone top-level directory becomes the root, as with nix-prefetch-url --unpack and fetchzip) and print the NAR hash of the tree.')
    .argument('<file...>', 'downloaded files or archives')
    .option('--unpack', 'hash the unpacked tree of an archive (tar, compressed tar, or zip)')
    .option('--format <format>', 'hex, base32 (Nix) or sri', format, 'hex' as Format)
    .action((files: string[], opts: { format: Format; unpack?: boolean }) => run(() => ({
      go: async () => {
        const lines: string[] = [];
        for (const f of files) lines.push(show(await prefetchHash(f, { unpack: opts.unpack === true }), opts.format));
        return lines.join('\n');
      },
    })));
  hash
    .command('convert')
    .summary('print a hash in another form')
    .description('Read a SHA-256 in any accepted form (hex, Nix base32, SRI `sha256-…`, `sha256:` prefix) and print it in --format.')
    .argument('<hash...>', 'hashes to convert')
    .option('--format <format>', 'hex, base32 (Nix) or sri', format, 'sri' as Format)
    .action((hashes: string[], opts: { format: Format }) => run(() => ({
      go: () => hashes.map((h) => show(parseContentHash(h), opts.format)).join('\n'),
    })));
}
