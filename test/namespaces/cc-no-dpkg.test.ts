/**
 * The seed's spelling `gcc:compile(filesystem:by-content?sha256=…)` on a
 * host without a Debian package database (simulated by pointing dpkg's
 * `DPKG_ADMINDIR` at an empty directory): the default toolchain falls back
 * to the host's compiler copied by content (`deb:host-files`), the sandbox
 * root as in `nomia ninja`, and says so (issue 17).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('cc-no-dpkg');
const store = join(dir, 'store');
const noDpkg = join(dir, 'no-dpkg');
mkdirSync(noDpkg);

interface Event { readonly kind: string; readonly label?: string; readonly type?: string; readonly message?: string; readonly line?: string; readonly name?: string }

describe('gcc: names without a package database', () => {
  test('gcc:compile(filesystem:by-content?sha256=…) compiles with the host\'s files as the toolchain, and says which fallback it took', (t) => {
    if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'gcc', 'gcc')) return;
    const file = join(dir, 'main.c');
    writeFileSync(file, '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
    const added = nomia(store, ['add', file]);
    assert.equal(added.code, 0, added.err);
    const sha = /sha256=([0-9a-f]{64})/.exec(added.out)![1]!;
    const r = nomia(store, ['realize', '--log-format', 'json', `gcc:compile(filesystem:by-content?sha256=${sha})`], { cwd: dir, env: { DPKG_ADMINDIR: noDpkg } });
    assert.equal(r.code, 0, r.err.slice(-3000));
    const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
    const [name, path] = r.out.trim().split('\n');
    assert.match(name!, /^filesystem:by-content\?name=main\.o&sha256=/);
    assert.match(execFileSync('nm', [path!], { encoding: 'utf8' }), / T main\n/);
    // The host's own gcc compiled it (its .comment, e.g. "GCC: (Debian 12.2.0-14+deb12u1) 12.2.0").
    const hostGcc = /\(.*\) \S+$/m.exec(execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]!)![0];
    assert.ok(readFileSync(path!).includes(`GCC: ${hostGcc}`), hostGcc);
    // Which fallback: the gcc node's log, the cc name it resolved, and deb:host-files' warning.
    const log = events.filter((e) => e.kind === 'log' && e.label?.startsWith('gcc:compile')).map((e) => e.line).join('\n');
    assert.match(log, /toolchain deb:host-files\?paths=\[\/usr\/bin\/gcc\]: no Debian package database \(.*no-dpkg\/status is absent\)/);
    assert.ok(events.some((e) => e.kind === 'resolving' && /^cc:compile\(src: \(filesystem:by-content\?name=main\.c&sha256=[0-9a-f]+\), toolchain: deb:host-files\?paths=\[\/usr\/bin\/gcc\]\)$/.test(e.name ?? '')), r.err.slice(-3000));
    const warnings = events.filter((e) => e.kind === 'warning' && e.type === 'unpackaged-toolchain');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message!, /no Debian package database/);
  });
});
