/**
 * The head of an HTTP/1.1 answer, as the cache's own clients read it
 * (http-pipeline.ts for records, http-body.ts for NARs): the status, the
 * body's length and whether the server closes the connection after it.
 * Only answers framed by a `Content-Length` are understood, as static
 * servers send files and errors; anything else says so (`length < 0`) and
 * the caller falls back to Node's client.
 */

/** What a head says. `length` is -1 when the body is not framed by a Content-Length (none, or chunked). */
export interface Head {
  readonly status: number;
  readonly length: number;
  readonly close: boolean;
}

/** Read the head in `buffer` up to `end` (the index of its `\r\n\r\n`); undefined if it is no HTTP/1.x status line. */
export function parseHead(buffer: Buffer, end: number): Head | undefined {
  const lines = buffer.toString('latin1', 0, end).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
  if (!status) return undefined;
  let length = -1;
  let close = false;
  let chunked = false;
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    const name = l.slice(0, i).trim().toLowerCase();
    const value = l.slice(i + 1).trim().toLowerCase();
    if (name === 'content-length') length = /^\d+$/.test(value) ? Number(value) : -1;
    else if (name === 'transfer-encoding') chunked = true;
    else if (name === 'connection' && value === 'close') close = true;
  }
  return { status: Number(status[1]), length: chunked ? -1 : length, close };
}
