/** Which name texts the memo of `nomia up` may hold (src/cli/up-memo.ts): only those whose meaning cannot change. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactServiceName, upMemoKey } from '../../src/cli/up-memo.js';
import { parseName } from '../../src/name/parse.js';

const BY = 'filesystem:by-content?name=t&sha256=d13896915648863217847611c7c3051308df862f0277e79c2489c2ab4b4b92f5';
const svc = (inputs: string) => `service:process?args=[httpd, -f]&ready="tcp://127.0.0.1:1"(${inputs})`;

describe('exactServiceName', () => {
  const accepted = [
    svc(`exe: ${BY}/bin/busybox`),
    `let a = ${svc(`exe: ${BY}/bin/busybox`)}; t = ${BY} in ${svc(`exe: $t/bin/busybox, a: $a`)}`,
  ];
  const refused = [
    svc('exe: filesystem:import?path=./busybox'),
    svc(`exe: ${BY}/bin/busybox, x: git:latest?url=/r`),
    svc(`exe: ${BY}/bin/busybox, x: by-content?sha256=00`),
    svc(`exe: ${BY}/bin/busybox, x: @bound`),
    `service:running?id=0123456789abcdef0123456789abcdef`,
    `(${BY}/ns.out):process?args=[x](exe: ${BY})`,
  ];
  for (const text of accepted) it(`accepts ${text.slice(0, 70)}…`, () => assert.equal(exactServiceName(parseName(text)), true));
  for (const text of refused) it(`refuses ${text.slice(0, 70)}…`, () => assert.equal(exactServiceName(parseName(text)), false));
});

describe('upMemoKey', () => {
  it('changes with the text, the store, PATH and the working directory', () => {
    const env = { PATH: '/bin', HOME: '/nonexistent' };
    const base = upMemoKey('t', '/s', '/w', env);
    assert.match(base ?? '', /^[0-9a-f]{64}$/);
    assert.equal(upMemoKey('t', '/s', '/w', { ...env }), base);
    for (const other of [upMemoKey('u', '/s', '/w', env), upMemoKey('t', '/s2', '/w', env), upMemoKey('t', '/s', '/w', { ...env, PATH: '/usr/bin' }), upMemoKey('t', '/s', '/w2', env)]) {
      assert.notEqual(other, base);
    }
  });
});
