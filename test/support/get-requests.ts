/** For tests' own HTTP/1.1 servers, which answer pipelined GETs on a raw socket. */
import type { Socket } from 'node:net';

/** Call `each` with the path of every GET that arrives on `s`, in order, however the bytes are split. */
export function onGets(s: Socket, each: (path: string) => void): void {
  let text = '';
  s.on('data', (c) => {
    text += c.toString('latin1');
    for (let end = text.indexOf('\r\n\r\n'); end >= 0; end = text.indexOf('\r\n\r\n')) {
      const path = /^GET (\S+)/.exec(text)![1]!;
      text = text.slice(end + 4);
      each(path);
    }
  });
}
