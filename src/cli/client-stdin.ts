/**
 * Standard input of the command: this process's fd 0, or, in a spare process
 * (spare-main.ts), the client's, opened as `/proc/<client pid>/fd/0` only
 * when the command reads it. A command that does not read it leaves it
 * unread, so `while read l; do nomia …; done < list` works through a spare
 * as it does without one. A socket cannot be opened that way (ENXIO): then
 * the spare asks the daemon to relay the client's bytes into its own fd 0
 * (daemon/run.ts) and reads that.
 */
import { openSync } from 'node:fs';

let client: { readonly path: string; readonly askRelay: () => void } | undefined;
let opened: number | undefined;

/** In a spare: standard input is the one at `path` (the client's), opened on first use; `askRelay` when it is a socket. */
export function useClientStdin(path: string, askRelay: () => void): void {
  client = { path, askRelay };
}

/** The file descriptor standard input is read from. */
export function stdinFd(): number {
  if (client === undefined) return 0;
  if (opened === undefined) {
    try {
      opened = openSync(client.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
      client.askRelay();
      opened = 0;
    }
  }
  return opened;
}
