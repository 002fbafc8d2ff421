/** Reading the name a command works on: an argument, `-` for stdin, or a file. */
import { readFileSync } from 'node:fs';
import { NomiaError } from '../errors.js';

export interface NameInput {
  readonly text: string;
  /** How to refer to the input in error locations: `<name>`, `<stdin>` or the file path. */
  readonly label: string;
}

export function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch (e) {
    throw new NomiaError('usage', `cannot read standard input: ${(e as Error).message}`, { hint: 'pass the name as an argument instead' });
  }
}

export function readFileInput(path: string): NameInput {
  try {
    return { text: readFileSync(path, 'utf8'), label: path };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new NomiaError('usage', `cannot read ${path}: ${why}`);
  }
}

/** The NAME argument: the name itself, or `-` to read it from stdin. */
export function nameArgument(arg: string | undefined): NameInput {
  if (arg === undefined && process.stdin.isTTY) {
    throw new NomiaError('usage', 'missing NAME', { hint: 'pass the name as an argument, or `-` to read it from standard input' });
  }
  if (arg === undefined || arg === '-') return { text: readStdin(), label: '<stdin>' };
  return { text: arg, label: '<name>' };
}

/** The name from `-f FILE` (`-` for stdin) or else the NAME argument; both at once is a usage error. */
export function fileOrArgument(file: string | undefined, arg: string | undefined): NameInput {
  if (file === undefined) return nameArgument(arg);
  if (arg !== undefined) throw new NomiaError('usage', `give the name either as an argument or with -f ${file}, not both`, { hint: 'drop the NAME argument, or the -f option' });
  return file === '-' ? { text: readStdin(), label: '<stdin>' } : readFileInput(file);
}
