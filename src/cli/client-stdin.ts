/**
 * Standard input of the command: this process's fd 0, or, in a spare process
 * (spare-main.ts), the client's, opened as `/proc/<client pid>/fd/0` only
 * when the command reads it. A command that does not read it leaves it
 * unread, so `while read l; do nomia …; done < list` works through a spare
 * as it does without one.
 */
import { openSync } from 'node:fs';

let clientPath: string | undefined;
let opened: number | undefined;

/** In a spare: standard input is the one at `path` (the client's), opened on first use. */
export function useClientStdin(path: string): void {
  clientPath = path;
}

/** The file descriptor standard input is read from. */
export function stdinFd(): number {
  if (clientPath === undefined) return 0;
  opened ??= openSync(clientPath, 'r');
  return opened;
}
