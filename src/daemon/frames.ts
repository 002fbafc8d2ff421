/**
 * The byte frames of a `run` answer (docs/spec/protocol.md, "run"): after a
 * `run` request the connection carries only these, daemon to client, so the
 * native client (client/nomia-client.c) reads them without a JSON parser.
 *
 *   frame   = type:u8  length:u32be  payload:length bytes
 *   type    'P'  started: the spare's pid, in decimal (its process group, for signals)
 *           'F'  fall back: run the Node CLI yourself; payload: why, for a person
 *           '1'  bytes the command wrote to its stdout
 *           '2'  bytes the command wrote to its stderr
 *           'I'  send your standard input: from now on the client writes its fd 0's bytes, unframed, to the
 *                connection and shuts down its writing side at end of file (only when the spare cannot
 *                open the client's fd 0 itself, i.e. it is a socket; at most once)
 *           'X'  the command's exit status, in decimal (a signal death n: 128+n); the last frame
 * The first frame is 'P' or 'F'; after 'F' the daemon closes the connection.
 */

/** What a frame says. */
export type FrameType = 'P' | 'F' | '1' | '2' | 'I' | 'X';

/** The largest payload of one frame; longer output is cut into several frames. */
export const MAX_FRAME = 1 << 20;

/** One frame of `type` holding `payload`. */
export function frame(type: FrameType, payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.allocUnsafe(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** The frames of a frame stream, and what is left of an incomplete one (for tests and Node clients). */
export function readFrames(bytes: Buffer): { frames: { type: string; payload: Buffer }[]; rest: Buffer } {
  const frames: { type: string; payload: Buffer }[] = [];
  let at = 0;
  while (bytes.length - at >= 5) {
    const length = bytes.readUInt32BE(at + 1);
    if (bytes.length - at - 5 < length) break;
    frames.push({ type: String.fromCharCode(bytes[at]!), payload: bytes.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return { frames, rest: bytes.subarray(at) };
}
