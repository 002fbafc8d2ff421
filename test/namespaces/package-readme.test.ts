/**
 * The README's build example is the seed's headline name with real hashes:
 * it must realize as written (when the Debian packages are the versions the
 * README names; with other versions the tools' hash differs and the test
 * uses the one this machine gives, so the shape is still checked).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { sandboxTools } from './package-support.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the README\'s seed example realizes, and its output runs', (t) => {
  if (!sandboxTools(t)) return;
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const name = /npx nomia realize '(package:build-in-sandbox\?args=\[ bash, -c, \$script \]\([^']*\))'/.exec(readme)?.[1];
  assert.ok(name, 'the README has the seed example');
  const versions = /`bash-static` (\S+) and `busybox-static`\s+(\S+) give/.exec(readme);
  assert.ok(versions, 'the README names the package versions behind its hashes');
  const installed = spawnSync('dpkg-query', ['-W', '-f', '${Version} ', 'bash-static', 'busybox-static'], { encoding: 'utf8' }).stdout.trim().split(' ');
  const store = join(tempDir('readme'), 'store');
  const tools = nomia(store, ['bootstrap-tools'], { env: { NOMIA_FSYNC: '0' } }).out.trim();
  const script = nomia(store, ['add', join(root, 'examples/build/hello.sh')], { env: { NOMIA_FSYNC: '0' } }).out.trim();
  const sameVersions = installed[0] === versions[1] && installed[1] === versions[2];
  const written = /exe: (filesystem:by-content\?name=bootstrap-tools&sha256=[0-9a-f]{64})/.exec(name)![1]!;
  if (sameVersions) assert.equal(tools, written, 'the README\'s bootstrap-tools hash is what these packages give');
  const scriptHash = /script: filesystem:by-content\?sha256=([0-9a-f]{64})/.exec(name)![1]!;
  assert.equal(script.replace(/^.*sha256=/, ''), scriptHash, 'examples/build/hello.sh has the hash the README shows');
  const text = sameVersions ? name : name.replace(written, tools);
  const r = nomia(store, ['realize', text], { env: { NOMIA_FSYNC: '0' } });
  assert.equal(r.code, 0, r.err);
  const out = r.out.trim().split('\n')[1]!;
  const hello = spawnSync(join(out, 'bin/hello'), { encoding: 'utf8' });
  assert.equal(hello.stdout, `hello from Nomia (built at ${out})\n`);
});
