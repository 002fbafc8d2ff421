/**
 * How a realize in another process reaches a running `nomia ui` (docs/views.md, "Realizes from other
 * processes"). Each `nomia ui` listens on a Unix socket of its own in the `ui/` folder of the store's
 * home, `<pid>-<random>.sock`; a realize on that store connects to every socket there and writes JSON
 * lines:
 *
 *   line     := hello | event | error
 *   hello    := {"kind":"hello","version":1,"pid":N,"name":TEXT}     first, once
 *   event    := an EngineEvent, exactly as `--log-format json` prints it
 *   error    := {"kind":"error","error":MESSAGE,"code"?:CODE}       how the realize failed, last
 *
 * then closes the connection. A connection that closes without a `done` event was a failed or killed
 * realize. The socket's file mode decides who may publish (the umask of the user who ran `nomia ui`).
 */
import { join } from 'node:path';
import type { EngineEvent } from '../../engine/events.js';

/** The version of these lines a publisher writes in its `hello`. */
export const LIVE_VERSION = 1;

/** The folder of the sockets of the `nomia ui` servers watching the store at `home`. */
export function liveDir(home: string): string {
  return join(home, 'ui');
}

/**
 * The longest Unix socket path Linux takes (sun_path is 108 bytes with its NUL); Node silently
 * truncates a longer one, which would listen somewhere else.
 */
export const MAX_SOCKET_PATH = 107;

/** A line longer than this is not ours: the connection is dropped. */
export const MAX_LINE = 1 << 20;

/** The first line: which process realizes which name. */
export type LiveHello = { readonly kind: 'hello'; readonly version: number; readonly pid: number; readonly name: string };
/** The last line of a realize that failed: its error's message and code. */
export type LiveError = { readonly kind: 'error'; readonly error: string; readonly code?: string };
/** Any line a publisher writes. */
export type LiveLine = LiveHello | LiveError | EngineEvent;
