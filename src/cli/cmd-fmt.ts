/** `nomia fmt [FILE]`: rewrite a name (from a file or stdin) in canonical text. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { fromJson } from '../name/json.js';
import { formatExpression } from '../name/format.js';
import { print } from '../name/print.js';
import { readFileInput, readStdin, type NameInput } from './input.js';
import { run } from './run.js';

interface Opts {
  check?: boolean;
  write?: boolean;
  fromJson?: boolean;
}

export function register(program: Command): void {
  program
    .command('fmt')
    .summary('print a name in canonical text')
    .description('Read one name (or replacement) from FILE, or from standard input when FILE is absent or `-`, and print it in canonical text.')
    .argument('[file]', 'a file holding one name, or - for stdin')
    .option('--check', 'print nothing; exit 1 if the input is not already canonical')
    .option('--write', 'rewrite FILE in place instead of printing')
    .option('--from-json', 'the input is the JSON form of a name (as printed by `nomia parse --json`)')
    .action((file: string | undefined, opts: Opts) =>
      run(() => {
        const input: NameInput = file === undefined || file === '-' ? { text: readStdin(), label: '<stdin>' } : readFileInput(file);
        return { input, go: () => {
          let chunks: Uint8Array[];
          if (opts.fromJson) {
            let json: unknown;
            try {
              json = JSON.parse(input.text);
            } catch (e) {
              throw new NomiaError('json/invalid', `${input.label} is not JSON: ${(e as Error).message}`);
            }
            chunks = [Buffer.from(print(fromJson(json)))];
          } else {
            // Printed as parsed, declaration by declaration: a large compose is never held whole.
            chunks = formatExpression(input.text);
          }
          if (opts.check) {
            if (input.text.replace(/\n$/, '') !== Buffer.concat(chunks).toString('utf8')) {
              throw new NomiaError('usage', `${input.label} is not in canonical form`, { hint: `run \`nomia fmt ${file ?? '-'}\` to see it` });
            }
            return;
          }
          if (opts.write) {
            if (file === undefined || file === '-') throw new NomiaError('usage', '--write needs a FILE argument');
            writeFileSync(file, Buffer.concat([...chunks, Buffer.from('\n')]));
            return;
          }
          return chunks;
        } };
      }));
}
