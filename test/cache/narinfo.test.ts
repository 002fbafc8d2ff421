import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { encodeBase32 } from '../../src/store/base32.js';
import { nixFixedPath } from '../../src/cache/narinfo.js';

describe('the Nix store path of a by-content object', () => {
  it('is the one nix-store --print-fixed-path --recursive gives', () => {
    for (const [seed, name] of [['a', 'hi'], ['b', 'some-source.tar'], ['c', 'x']] as const) {
      const hex = createHash('sha256').update(seed).digest('hex');
      const nix = execFileSync('nix-store', ['--print-fixed-path', '--recursive', 'sha256', encodeBase32(Buffer.from(hex, 'hex')), name], { encoding: 'utf8' }).trim();
      assert.equal(nixFixedPath(hex, name), nix);
    }
  });
});
