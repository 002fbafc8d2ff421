/** `nomia key generate NAME` / `nomia key public`: the key `nomia push` signs with, in Nix's `name:base64` format. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { signingKeyPath } from '../cache/config.js';
import { generateSecretKey, parseSecretKey, type SecretKey } from '../cache/keys.js';
import { NomiaError } from '../errors.js';
import { run } from './run.js';

/** The secret key at `file` (default: the user's). */
export function readSigningKey(file = signingKeyPath()): SecretKey {
  if (!existsSync(file)) throw new NomiaError('cache/key', `there is no signing key at ${file}`, { hint: 'make one with `nomia key generate NAME` (e.g. my-cache-1)' });
  return parseSecretKey(readFileSync(file, 'utf8'));
}

export function register(program: Command): void {
  const key = program.command('key').summary('make and show the key binary caches are signed with')
    .description('Make and show the ed25519 key `nomia push` signs the records of a binary cache with (docs/cache.md).');
  key
    .command('generate')
    .summary('make a new signing key')
    .description('Make an ed25519 key named NAME for signing what `nomia push` writes, kept in ~/.config/nomia/signing-key (--key-file elsewhere), and print its public half: give that line to whoever should trust the cache (`--trusted-key`, "trusted-public-keys"; Nix reads the same line). Secret keys from `nix-store --generate-binary-cache-key` work too.')
    .argument('<name>', 'the key\'s name, e.g. cache.example.org-1')
    .option('--key-file <file>', 'where to write the secret key')
    .option('--force', 'replace an existing key')
    .action((name: string, opts: { keyFile?: string; force?: boolean }) => run(() => ({
      go: async () => {
        const file = opts.keyFile ?? signingKeyPath();
        if (existsSync(file) && !opts.force) {
          throw new NomiaError('usage', `${file} holds a signing key already`, { hint: 'print its public key with `nomia key public`, or pass --force to replace it' });
        }
        const text = generateSecretKey(name);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${text}\n`, { mode: 0o600 });
        chmodSync(file, 0o600);
        return parseSecretKey(text).publicText;
      },
    })));
  key
    .command('public')
    .summary('print the public key of the signing key')
    .description('Print the public half of the signing key (~/.config/nomia/signing-key, or --key-file) as NAME:BASE64: the line to give to whoever should trust the cache (`--trusted-key`, "trusted-public-keys").')
    .option('--key-file <file>', 'the secret key to read')
    .action((opts: { keyFile?: string }) => run(() => ({ go: async () => readSigningKey(opts.keyFile).publicText })));
}
