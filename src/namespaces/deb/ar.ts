/**
 * Reading the `ar` archive a `.deb` is (deb(5)):
 *
 *   archive := "!<arch>\n" member*
 *   member  := header(60 bytes) data padding
 *   header  := name(16) mtime(12) uid(6) gid(6) mode(8) size(10) "`\n"
 *
 * Fields are ASCII, space padded; `size` is decimal; data is padded with
 * one `\n` to an even offset. A .deb holds `debian-binary`, then
 * `control.tar.*`, then `data.tar.*` (names may end in `/`, GNU style).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { NomiaError } from '../../namespace/index.js';

const MAGIC = '!<arch>\n';
const HEADER = 60;

export interface ArMember {
  readonly name: string;
  /** Where its data starts in the file. */
  readonly offset: number;
  readonly size: number;
}

function format(label: string, why: string): NomiaError {
  return new NomiaError('deb/format', `${label}: ${why}`, { hint: 'the file is not a Debian package, or it is damaged or truncated (nothing was stored)' });
}

/** The members of the ar archive `file`, in order; a damaged or truncated archive is `deb/format`. */
export function arMembers(file: string, label: string): ArMember[] {
  const fd = openSync(file, 'r');
  try {
    const total = fstatSync(fd).size;
    const magic = Buffer.alloc(MAGIC.length);
    if (readSync(fd, magic, 0, magic.length, 0) !== magic.length || magic.toString('latin1') !== MAGIC) throw format(label, 'it does not start like an ar archive');
    const members: ArMember[] = [];
    const header = Buffer.alloc(HEADER);
    for (let at = MAGIC.length; at < total; ) {
      if (readSync(fd, header, 0, HEADER, at) !== HEADER) throw format(label, `the member header at byte ${at} is cut short`);
      const text = header.toString('latin1');
      if (text.slice(58, 60) !== '`\n') throw format(label, `the member header at byte ${at} is malformed`);
      const sizeText = text.slice(48, 58).trim();
      if (!/^\d+$/.test(sizeText)) throw format(label, `the member header at byte ${at} has no size`);
      const size = Number(sizeText);
      const offset = at + HEADER;
      if (offset + size > total) throw format(label, `the member ${JSON.stringify(text.slice(0, 16).trim())} is cut short (${total - offset} of ${size} bytes)`);
      members.push({ name: text.slice(0, 16).trim().replace(/\/$/, ''), offset, size });
      at = offset + size + (size % 2);
    }
    return members;
  } finally {
    closeSync(fd);
  }
}
