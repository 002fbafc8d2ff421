/** `nomia hash`: the content hash of a path, or a hash converted between hex, Nix base32 and SRI. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { parseContentHash, toBase32, toHex, toSri, type ContentHash } from '../store/hash.js';
import { hashPath } from '../store/nar.js';
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
    .command('convert')
    .summary('print a hash in another form')
    .description('Read a SHA-256 in any accepted form (hex, Nix base32, SRI `sha256-…`, `sha256:` prefix) and print it in --format.')
    .argument('<hash...>', 'hashes to convert')
    .option('--format <format>', 'hex, base32 (Nix) or sri', format, 'sri' as Format)
    .action((hashes: string[], opts: { format: Format }) => run(() => ({
      go: () => hashes.map((h) => show(parseContentHash(h), opts.format)).join('\n'),
    })));
}
