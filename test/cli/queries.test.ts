/**
 * The query commands (issue 20) driven through the real CLI on temporary stores: `why-depends`,
 * `path-info`, `referrers`, `rdeps`, `diff-closures`. The seed's build (bash of the bootstrap tools runs
 * examples/build/hello.sh, whose output names that bash) gives a real reference to `bootstrap-tools`;
 * small objects added with `--reference` give shapes a build would take long to make.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';
import { bench, build, realize, sandboxTools, script } from '../namespaces/package-support.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const quiet = { env: { NOMIA_FSYNC: '0' } };
/** The seed's build script: its output names the bash it runs with, so it refers to bootstrap-tools. */
const helloScript = readFileSync(join(root, 'examples/build/hello.sh'), 'utf8');

interface PathInfoJson { path: string; name: string; hash: string; narHash: string; narSize: number; references: string[]; closureSize?: number }

/** A store with objects added by hand; `add(name, refs)` returns the store path of a new object that refers to `refs`. */
function handStore(prefix: string) {
  const dir = tempDir(prefix);
  const store = join(dir, 'store');
  let n = 0;
  const add = (name: string, refs: readonly string[] = [], bytes = 10): string => {
    const src = join(dir, `src-${n++}`);
    mkdirSync(src);
    // Distinct content per object, `bytes` long, so sizes differ where a test wants them to.
    writeFileSync(join(src, 'data'), `${name} ${n}\n`.padEnd(bytes, '.'));
    const r = nomia(store, ['add', '--json', '--name', name, ...refs.flatMap((x) => ['--reference', x]), src], quiet);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out) as { path: string }).path;
  };
  const q = (args: string[]) => nomia(store, args, quiet);
  return { dir, store, add, q };
}

describe('why-depends', () => {
  test('on the seed build shows the chain to bootstrap-tools, by the name realized and by store paths', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('why-seed');
    const name = build(b, script(b, helloScript));
    const done = realize(b, name);
    assert.equal(done.code, 0, done.err);
    const r = nomia(b.store, ['why-depends', name, b.tools], quiet);
    assert.equal(r.code, 0, r.err);
    const tools = nomia(b.store, ['path', b.tools], quiet).out.trim();
    assert.deepEqual(r.out.trimEnd().split('\n'), [done.path, `└───${tools}`]);
    const json = JSON.parse(nomia(b.store, ['why-depends', '--json', done.path, tools], quiet).out) as { from: string[]; to: string; path: string[] };
    assert.deepEqual(json, { from: [done.path], to: tools, path: [done.path, tools] });
    // --precise names the file that mentions the tools: the `#!` line of the script the build wrote.
    const precise = nomia(b.store, ['why-depends', '--precise', name, b.tools], quiet);
    assert.equal(precise.code, 0, precise.err);
    const lines = precise.out.trimEnd().split('\n');
    assert.equal(lines.length, 3, precise.out);
    assert.equal(lines[0], done.path);
    // 30 bytes of context on each side of the hash: the whole `#!` line's start when the store's path is short.
    const shown = lines[1]!.slice('└───bin/hello: '.length);
    assert.ok(lines[1]!.startsWith('└───bin/hello: ') && shown.endsWith('/bin/bash.read…'), lines[1]);
    const mention = shown.replace(/^…/, '').replace(/\.read…$/, '');
    assert.ok(`#!${tools}/bin/bash`.endsWith(mention) && mention.includes(basename(tools)), shown);
    assert.equal(lines[2], `    → ${tools}`);
    // Asking the other way round is an answer, not an error: exit status 1, as grep finding nothing.
    const back = nomia(b.store, ['why-depends', tools, name], quiet);
    assert.equal(back.code, 1, back.err);
    assert.match(back.out, /does not depend on/);
  });

  test('gives the shortest chain; --all gives every object on some chain, as a tree', () => {
    const s = handStore('why-hand');
    const leaf = s.add('leaf');
    const mid1 = s.add('mid-one', [leaf]);
    const mid2 = s.add('mid-two', [mid1]);
    const side = s.add('side', []);
    const top = s.add('top', [mid2, leaf, side]);
    const short = s.q(['why-depends', '--json', top, leaf]);
    assert.equal(short.code, 0, short.err);
    assert.deepEqual((JSON.parse(short.out) as { path: string[] }).path, [top, leaf]);
    const long = s.q(['why-depends', '--json', mid2, leaf]);
    assert.deepEqual((JSON.parse(long.out) as { path: string[] }).path, [mid2, mid1, leaf]);
    const all = JSON.parse(s.q(['why-depends', '--all', '--json', top, leaf]).out) as { graph: Record<string, string[]> };
    assert.deepEqual(Object.keys(all.graph).sort(), [top, mid2, mid1, leaf].sort(), 'side leads nowhere and is left out');
    assert.deepEqual(all.graph[top], [mid2, leaf].sort());
    const tree = s.q(['why-depends', '--all', top, leaf]);
    assert.equal(tree.code, 0, tree.err);
    const lines = tree.out.trimEnd().split('\n');
    assert.equal(lines[0], top);
    assert.equal(lines.length, 5, tree.out); // top, its two children, mid2's chain of two
    assert.ok(lines.every((l, i) => i === 0 || /^[ │]*[├└]───\//.test(l)), tree.out);
  });

  test('--precise finds a mention across the 1 MiB chunks it reads, and in symlink targets', () => {
    const s = handStore('why-precise');
    const leaf = s.add('leaf');
    const src = join(s.dir, 'mentions');
    mkdirSync(join(src, 'sub'), { recursive: true });
    const part = basename(leaf).slice(0, 52);
    writeFileSync(join(src, 'sub', 'big'), Buffer.concat([Buffer.alloc((1 << 20) - 20, 0), Buffer.from(`${part}/lib`), Buffer.alloc(100, 0x41)]));
    writeFileSync(join(src, 'plain'), 'nothing here\n');
    symlinkSync(`${leaf}/data`, join(src, 'link'));
    const r = nomia(s.store, ['add', '--json', '--name', 'top', '--reference', leaf, src], quiet);
    const top = (JSON.parse(r.out) as { path: string }).path;
    const out = JSON.parse(s.q(['why-depends', '--precise', '--json', top, leaf]).out) as { sites: { file: string; excerpt: string }[] };
    assert.deepEqual(out.sites.map((x) => x.file), ['link', 'sub/big']);
    assert.equal(out.sites[0]!.excerpt, `-> ${leaf}/data`, 'a link target is shown whole');
    assert.equal(out.sites[1]!.excerpt, `…${'.'.repeat(30)}${part}/lib${'A'.repeat(26)}…`);
  });

  test('refuses unknown objects and names never realized, saying what to do', () => {
    const s = handStore('why-errors');
    const leaf = s.add('leaf');
    const missing = s.q(['why-depends', '0'.repeat(64), leaf]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /error\[store\/not-found\].*0{64}/);
    const never = s.q(['why-depends', 'filesystem:import?path=/etc/hostname', leaf]);
    assert.equal(never.code, 1);
    assert.match(never.err, /error\[query\/not-realized\]: filesystem:import\?path=\/etc\/hostname has no recorded results/);
    assert.match(never.err, /hint: it depends on the caller's context/, 'an import is never recorded by name: realizing it would not help');
    const unbuilt = s.q(['why-depends', `package:build-in-sandbox?args=[sh](exe: filesystem:by-content?sha256=${basename(leaf).slice(0, 52)})`, leaf]);
    assert.match(unbuilt.err, /error\[query\/not-realized\]: package:build-in-sandbox.* has no recorded results/);
    assert.match(unbuilt.err, /hint: realize it first/);
    const unknown = s.q(['why-depends', 'nosuch:thing', leaf]);
    assert.match(unknown.err, /error\[usage\]: there is no namespace `nosuch`/);
    const outside = s.q(['referrers', '/etc']);
    assert.match(outside.err, /error\[usage\]: \/etc is not a path inside the store/);
  });
});

describe('an argument that is a symlink into the store', () => {
  test('an out-link such as ./result names the object it points to (was: "./result is not a path inside the store")', () => {
    const s = handStore('out-link');
    const lib = s.add('lib-1.0');
    const app = s.add('app-1.0', [lib]);
    // What `nomia realize -o result` leaves: a symlink to the object, named relative to the working directory.
    symlinkSync(app, join(s.dir, 'result'));
    symlinkSync(join(lib, 'data'), join(s.dir, 'data-link'));
    const at = { ...quiet, cwd: s.dir };
    const info = nomia(s.store, ['path-info', '--json', './result'], at);
    assert.equal(info.code, 0, info.err);
    assert.deepEqual((JSON.parse(info.out) as PathInfoJson[]).map((o) => [o.path, o.references]), [[app, [lib]]]);
    const why = nomia(s.store, ['why-depends', './result', lib], at);
    assert.equal(why.code, 0, why.err);
    assert.match(why.out, /lib-1\.0/);
    const cat = nomia(s.store, ['cat', './data-link'], at);
    assert.equal(cat.code, 0, cat.err);
    assert.match(cat.out, /^lib-1\.0 /);
    // A path that is neither in the store nor a symlink into it is still refused, with the out-link in the hint.
    const plain = nomia(s.store, ['path-info', join(s.dir, 'src-0')], at);
    assert.equal(plain.code, 1);
    assert.match(plain.err, /is not a path inside the store[\s\S]*hint: .*out-link/);
  });
});

describe('path-info', () => {
  test('-rS on the seed build: the closure with NAR sizes that agree with nix-store --dump', (t) => {
    if (!sandboxTools(t) || !requireTool(t, 'nix-store', 'nix-bin')) return;
    const b = bench('info-seed');
    const name = build(b, script(b, helloScript));
    const done = realize(b, name);
    assert.equal(done.code, 0, done.err);
    const r = nomia(b.store, ['path-info', '-rS', '--json', name], quiet);
    assert.equal(r.code, 0, r.err);
    const infos = JSON.parse(r.out) as PathInfoJson[];
    assert.deepEqual(infos.map((i) => i.name).sort(), ['bootstrap-tools', 'build']);
    // The size Nix reports is the NAR's; measured here by serializing each object with Nix itself.
    const narBytes = (p: string) => execFileSync('nix-store', ['--dump', p], { maxBuffer: 1 << 30 }).length;
    for (const i of infos) assert.equal(i.narSize, narBytes(i.path), i.path);
    const top = infos.find((i) => i.path === done.path)!;
    const tools = infos.find((i) => i.name === 'bootstrap-tools')!;
    assert.deepEqual(top.references, [tools.path]);
    assert.equal(top.closureSize, narBytes(top.path) + narBytes(tools.path));
    assert.equal(tools.closureSize, tools.narSize);
    // The NAR frames every file, so its size exceeds the bytes `du --apparent-size` counts.
    const apparent = Number(execFileSync('du', ['-sbc', '--apparent-size', top.path, tools.path], { encoding: 'utf8' }).trim().split('\n').at(-1)!.split('\t')[0]);
    assert.ok(apparent < top.closureSize!, `${apparent} < ${top.closureSize}`);
    // The text form shows the same numbers.
    const text = nomia(b.store, ['path-info', '-S', name], quiet).out;
    assert.match(text, new RegExp(`closure size  ${top.closureSize} `));
    assert.match(text, new RegExp(`hash          sha256:${top.hash}`));
  });

  test('without -r gives the objects named, with their references and nar hash', () => {
    const s = handStore('info-hand');
    const leaf = s.add('leaf', [], 3000);
    const top = s.add('top', [leaf], 5000);
    const infos = JSON.parse(s.q(['path-info', '--json', top]).out) as PathInfoJson[];
    assert.equal(infos.length, 1);
    assert.deepEqual(infos[0]!.references, [leaf]);
    assert.equal(infos[0]!.closureSize, undefined);
    assert.equal(`sha256:${basename(top).slice(0, 52)}`, infos[0]!.narHash);
    const both = JSON.parse(s.q(['path-info', '-S', '--json', top, leaf]).out) as PathInfoJson[];
    const [a, b] = [both.find((i) => i.path === top)!, both.find((i) => i.path === leaf)!];
    assert.equal(a.closureSize, a.narSize + b.narSize);
  });
});

describe('referrers', () => {
  test('direct and transitive', () => {
    const s = handStore('referrers');
    const leaf = s.add('leaf');
    const mid = s.add('mid', [leaf]);
    const top = s.add('top', [mid]);
    s.add('unrelated');
    assert.deepEqual(s.q(['referrers', leaf]).out.trim().split('\n'), [mid]);
    assert.deepEqual(JSON.parse(s.q(['referrers', '-r', '--json', leaf]).out), [leaf, mid, top].sort());
    const none = s.q(['referrers', top]);
    assert.equal(none.code, 0, none.err);
    assert.equal(none.out, '');
  });
});

describe('rdeps', () => {
  test('lists the recorded names whose results are, or refer to, an object', (t) => {
    if (!sandboxTools(t)) return;
    const b = bench('rdeps');
    const hello = script(b, helloScript);
    const name = build(b, hello);
    const done = realize(b, name);
    assert.equal(done.code, 0, done.err);
    const spelling = nomia(b.store, ['spell', name], quiet).out.trim().split('\n')[0]!;
    interface Lead { spelling: string; to: string[]; kind: string; via: string; direct: boolean }
    const leads = JSON.parse(nomia(b.store, ['rdeps', '--json', b.tools], quiet).out) as Lead[];
    const viaBuild = leads.filter((l) => l.via === done.path);
    assert.ok(viaBuild.length > 0, JSON.stringify(leads));
    assert.ok(viaBuild.every((l) => !l.direct && l.to.includes(done.name)));
    assert.ok(viaBuild.some((l) => l.spelling === spelling), `the build's spelling ${spelling} is among ${JSON.stringify(viaBuild)}`);
    assert.ok(leads.some((l) => l.direct && l.to[0] === b.tools), 'the tools themselves were recorded as realized');
    // --direct leaves out what leads there only through the build's reference.
    const direct = JSON.parse(nomia(b.store, ['rdeps', '--direct', '--json', b.tools], quiet).out) as Lead[];
    assert.ok(direct.length > 0 && direct.every((l) => l.direct));
    // The script is an input of the build, not referred to by its output: no build leads to it.
    const toScript = JSON.parse(nomia(b.store, ['rdeps', '--json', hello], quiet).out) as Lead[];
    assert.ok(toScript.every((l) => l.direct), JSON.stringify(toScript));
  });
});

describe('rdeps through names', () => {
  test('follows reductions to names that reduce on to the object, and shows those names', () => {
    const s = handStore('rdeps-chain');
    const object = s.add('src');
    const byContent = JSON.parse(s.q(['path-info', '--json', object]).out)[0] as PathInfoJson;
    const target = `filesystem:by-content?name=src&sha256=${byContent.hash}`;
    const loose = 'git:latest?repo=/srv/x&ref=main';
    const exact = 'git:exact-fetch?repo=/srv/x&rev=abc';
    assert.equal(s.q(['reduce', `${loose} => ${exact}`]).code, 0);
    assert.equal(s.q(['reduce', `${exact} => ${target}`]).code, 0);
    s.q(['reduce', 'git:latest?repo=/srv/other&ref=main => git:exact-fetch?repo=/srv/other&rev=def']);
    const leads = JSON.parse(s.q(['rdeps', '--json', object]).out) as { spelling: string; names: string[]; to: string[]; via: string }[];
    assert.deepEqual(leads.map((l) => l.to[0]).sort(), [exact, target].sort(), 'the other repository leads elsewhere');
    const spell = (n: string) => s.q(['spell', n]).out.trim();
    assert.deepEqual(leads.find((l) => l.to[0] === target), { ...leads.find((l) => l.to[0] === target), spelling: spell(exact), names: [exact], via: object });
    assert.equal(leads.find((l) => l.to[0] === exact)?.spelling, spell(loose));
    // The loose name is answered through the chain, as realize would follow it.
    assert.deepEqual((JSON.parse(s.q(['why-depends', '--json', loose, object]).out) as { path: string[] }).path, [object]);
  });
});

describe('diff-closures', () => {
  test('groups by name without version and reports version and size changes', () => {
    const s = handStore('diff');
    const libOld = s.add('libfoo-1.0', [], 100);
    const libNew = s.add('libfoo-1.1', [], 20_000);
    const same = s.add('zlib-1.3', [], 50);
    const gone = s.add('oldtool-2', [], 50);
    const added = s.add('newtool', [], 50);
    const before = s.add('app-1.0', [libOld, same, gone], 50);
    const after = s.add('app-1.0', [libNew, same, added], 60);
    const r = s.q(['diff-closures', '--json', before, after]);
    assert.equal(r.code, 0, r.err);
    const { packages } = JSON.parse(r.out) as { packages: Record<string, { versionsBefore: string[]; versionsAfter: string[]; sizeDelta: number }> };
    const infos = JSON.parse(s.q(['path-info', '--json', libOld, libNew]).out) as PathInfoJson[];
    const size = (p: string) => infos.find((i) => i.path === p)!.narSize;
    assert.deepEqual(packages['libfoo'], { versionsBefore: ['1.0'], versionsAfter: ['1.1'], sizeDelta: size(libNew) - size(libOld) });
    assert.deepEqual(packages['oldtool']?.versionsBefore, ['2']);
    assert.deepEqual(packages['newtool']?.versionsAfter, ['']);
    assert.equal(packages['zlib'], undefined, 'unchanged');
    assert.equal(packages['app'], undefined, 'the same version, a change far below 8 KiB');
    const text = s.q(['diff-closures', before, after]).out.trimEnd().split('\n');
    assert.deepEqual(text.map((l) => l.split(':')[0]), ['libfoo', 'newtool', 'oldtool']);
    assert.match(text[0]!, /^libfoo: 1\.0 → 1\.1, \+\d+\.\d KiB$/);
    assert.equal(text[1], 'newtool: ∅ → ε');
  });
});

describe('help', () => {
  for (const cmd of ['why-depends', 'path-info', 'referrers', 'rdeps', 'diff-closures']) {
    test(`${cmd} --help shows the usage and an example`, () => {
      const r = nomia(tempDir('help'), [cmd, '--help']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`^Usage: nomia ${cmd} `));
      assert.match(r.out, new RegExp(`\\nExample:\\n  nomia ${cmd} `));
      assert.match(r.out, /--json/);
    });
  }
});
