/**
 * Decompressing part of a file in place (a .deb's data.tar member is read
 * from the .deb itself, never copied out): every compression, from a byte
 * range with other bytes before and after it, gives exactly the member's
 * bytes; an empty range gives none.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type Compression, decompressed, detect } from '../../src/namespaces/unpack/decompress.js';
import { tempDir } from '../support/cli.js';
import { hasTool } from '../support/tools.js';

async function bytes(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

test('a byte range of a file decompresses to the member\'s bytes alone, in every compression', async () => {
  const dir = tempDir('decompress-range');
  const plain = Buffer.from('payload '.repeat(50_000));
  writeFileSync(join(dir, 'plain'), plain);
  const members: [string, Buffer][] = [['none', plain], ['gzip', gzipSync(plain)]];
  for (const [tool, kind] of [['xz', 'xz'], ['zstd', 'zstd'], ['bzip2', 'bzip2']] as const) {
    if (!hasTool(tool)) continue;
    execFileSync(tool, ['-k', '-f', join(dir, 'plain')]);
    members.push([kind, readFileSync(join(dir, `plain.${tool === 'bzip2' ? 'bz2' : tool === 'zstd' ? 'zst' : 'xz'}`))]);
  }
  assert.ok(members.length >= 3, 'xz is installed');
  for (const [kind, member] of members) {
    // Bytes before and after that are no part of the member (an ar header, the next member).
    const before = Buffer.from('!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n');
    const file = join(dir, `archive-${kind}`);
    writeFileSync(file, Buffer.concat([before, member, Buffer.from('\ntrailing bytes')]));
    const range = { offset: before.length, size: member.length };
    assert.equal(detect(file, range), kind);
    assert.ok((await bytes(decompressed(file, kind as Compression, kind, undefined, range))).equals(plain), kind);
  }
  assert.equal((await bytes(decompressed(join(dir, 'plain'), 'none', 'empty', undefined, { offset: 3, size: 0 }))).length, 0);
});
