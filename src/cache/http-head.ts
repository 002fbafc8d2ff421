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
  const text = buffer.toString('latin1', 0, end);
  const status = STATUS.exec(text);
  if (!status) return undefined;
  let length = -1;
  let close = false;
  let chunked = false;
  // Line by line without splitting, and only the three names read are lowercased: a lookup's answer is
  // small, and its head is a good part of what is parsed.
  for (let at = text.indexOf('\r\n') + 2; at > 1 && at < text.length;) {
    const eol = text.indexOf('\r\n', at);
    const stop = eol < 0 ? text.length : eol;
    const colon = text.indexOf(':', at);
    if (colon > at && colon < stop) {
      const name = text.slice(at, colon).trim();
      const n = name.length;
      if (n === 14 || n === 17 || n === 10) {
        const lower = name.toLowerCase();
        const value = text.slice(colon + 1, stop).trim();
        if (lower === 'content-length') length = DIGITS.test(value) ? Number(value) : -1;
        else if (lower === 'transfer-encoding') chunked = true;
        else if (lower === 'connection' && value.toLowerCase() === 'close') close = true;
      }
    }
    at = stop + 2;
  }
  return { status: Number(status[1]), length: chunked ? -1 : length, close };
}

const STATUS = /^HTTP\/1\.[01] (\d{3})(?=[ \r]|$)/;
const DIGITS = /^\d+$/;
