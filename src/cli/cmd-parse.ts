/** `nomia parse NAME [--json]`: check a name and print it canonically or as its JSON AST. */
import type { Command } from 'commander';
import { formatExpression } from '../name/format.js';
import { nameArgument } from './input.js';
import { run } from './run.js';

export function register(program: Command): void {
  program
    .command('parse')
    .summary('parse a name and print it canonically')
    .description('Parse NAME (a name, or a replacement `A => B`) and print its canonical text, or its JSON AST with --json. Reads the name from standard input when NAME is `-` or absent.')
    .argument('[name]', 'the name text, or - for stdin')
    .option('--json', 'print the JSON form of the AST (docs/names.md)')
    .option('--positions', 'with --json, include source spans [start, end) as UTF-16 offsets')
    .addHelpText('after', `
Examples:
  nomia parse 'git:exact-fetch?repo=https://github.com/NixOS/nixpkgs&rev=785d2c03a0d'
  nomia parse --json 'gcc:compile(filesystem:by-content?sha256=deac66cc…)'`)
    .action((arg: string | undefined, opts: { json?: boolean; positions?: boolean }) =>
      run(() => {
        const input = nameArgument(arg);
        return { input, go: async () => {
          if (!opts.json) return formatExpression(input.text);
          // Loaded only for --json: a plain `nomia parse` starts without it.
          const [{ parseExpression }, { toJson }] = await Promise.all([import('../name/parse.js'), import('../name/json.js')]);
          return JSON.stringify(toJson(parseExpression(input.text), { positions: opts.positions === true }), null, 2);
        } };
      }));
}
