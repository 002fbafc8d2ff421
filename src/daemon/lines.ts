/** Line framing for the daemon's channels: call `onLine` for each complete line a stream delivers. */
import type { Readable } from 'node:stream';

/** Longest line accepted, in characters. */
export const MAX_REQUEST = 1 << 20;

export function onLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      onLine(line);
    }
    // No request is this long: a peer that sends one without a newline is dropped, not buffered forever.
    if (buffered.length > MAX_REQUEST) {
      buffered = '';
      stream.destroy();
    }
  });
}
