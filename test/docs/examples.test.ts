/**
 * The shell examples of README.md and docs/ run, so the docs cannot drift
 * from the code (issue 15). Every ```sh block is cut into commands (bash
 * itself says where a command ends) and run in order in one bash per block,
 * in a temporary directory with a temporary store; `npx nomia` and `nomia`
 * are the built CLI. A command that fails fails the test, naming its line.
 *
 * `npm ci && ` before a command is dropped: the test runs from an installed
 * tree. Not every line can run here. Two rules, both explicit:
 *  - a synopsis is not a command: a line with a placeholder (`<hex>`,
 *    `NAME`, `[--option]`, `…`) documents a form, and is skipped;
 *  - `SKIP` below lists each other command the test cannot give what it
 *    needs, with why. Add to it only with a reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bin, tempDir } from '../support/cli.js';
import { hasTool } from '../support/tools.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Command { readonly line: number; readonly text: string }
interface Block { readonly file: string; readonly line: number; readonly commands: readonly Command[] }

/** Commands that cannot run in a test, by document and a prefix of the command; each with its reason. */
const SKIP: readonly { readonly file: string; readonly starts: string; readonly why: string; readonly unless?: () => boolean }[] = [
  { file: 'README.md', starts: 'npm ', why: 'installs, builds or tests the project itself (this test runs inside `npm test`)' },
  { file: 'README.md', starts: 'NOMIA_TEST_ACCEPT=1 npm test', why: 'regenerates golden files' },
  { file: 'README.md', starts: 'sudo ', why: 'installs packages or switches user: needs root and other accounts' },
  { file: 'README.md', starts: "npx nomia realize 'git:exact-fetch?repo=./some/repo&rev=edec539'", why: 'needs the repository that holds the README\'s commit edec539' },
  { file: 'README.md', starts: "npx nomia realize 'git:latest?repo=./some/repo", why: 'needs a git repository at ./some/repo (the git namespace has its own tests)' },
  { file: 'README.md', starts: "npx nomia reductions 'git:latest?repo=./some/repo", why: 'follows the skipped git:latest realize' },
  { file: 'README.md', starts: 'npx nomia realize \'package:build-in-sandbox', why: 'needs bubblewrap and the bootstrap tools of the hashes in the README (Debian 12\'s bash-static and busybox-static)', unless: () => bootstrapMatches() },
  { file: 'README.md', starts: 'npx nomia bootstrap-tools', why: 'needs bash-static and busybox-static', unless: () => hasTool('bash-static') && hasTool('busybox') },
  { file: 'README.md', starts: 'npx nomia add examples/build/hello.sh', why: 'follows bootstrap-tools', unless: () => hasTool('bash-static') && hasTool('busybox') },
  { file: 'docs/store.md', starts: 'nomia ', why: 'a synopsis of the store commands, with placeholders' },
  { file: 'docs/store.md', starts: 'chgrp ', why: 'sets up a store shared by a group: needs a `nomia` group (test/cli/store-multi-user.test.ts makes one)' },
  { file: 'docs/store.md', starts: 'find ', why: 'part of the group set-up above' },
  { file: 'docs/store.md', starts: 'umask ', why: 'part of the group set-up above' },
  { file: 'README.md', starts: 'TC=', why: 'the cc example: downloads a gcc closure from Debian\'s archive and needs ./main.c; test/namespaces/cc.test.ts realizes these names' },
  { file: 'README.md', starts: 'npx nomia realize "cc:link', why: 'follows the skipped TC= line' },
  { file: 'docs/namespaces/cc.md', starts: '', why: 'downloads a gcc closure from Debian\'s archive and needs the sources named; test/namespaces/cc.test.ts realizes these names' },
  { file: 'docs/namespaces/ninja.md', starts: '', why: 'fetches json-c\'s source and a gcc and cmake closure from Debian\'s archive; test/namespaces/ninja-json-c.test.ts runs these steps' },
  { file: 'docs/namespaces/cmake.md', starts: '', why: 'fetches json-c\'s source and a toolchain closure from Debian\'s archive; test/namespaces/ninja-build.test.ts realizes these names' },
  { file: 'docs/namespaces/deb.md', starts: '', why: 'downloads about 90 MB from Debian\'s archive and needs ./hello.c; test/namespaces/deb.test.ts realizes these names' },
  { file: 'docs/namespaces/package.md', starts: '', why: 'a script that runs inside a sandboxed build, not in a shell' },
  { file: 'docs/namespaces/private-filesystem.md', starts: '', why: 'sets up a shared store under /srv with a group: needs root and a `nomia` group' },
  { file: 'docs/namespaces/service.md', starts: '', why: 'runs busybox from the bootstrap tools', unless: () => hasTool('bash-static') && hasTool('busybox') },
  { file: 'docs/namespaces/service.md', starts: 'nomia up --root nginx', why: 'downloads nginx-light\'s closure from Debian\'s archive; test/namespaces/service-sandbox.test.ts runs this service' },
  { file: 'docs/namespaces/service.md', starts: 'busybox wget -q -O - http://127.0.0.1:47834/', why: 'follows the skipped nginx `up`' },
  { file: 'docs/namespaces/service.md', starts: 'nomia down nginx', why: 'follows the skipped nginx `up`' },
  { file: 'docs/cache.md', starts: 'P=$(nix-store ', why: 'needs Nix (Debian\'s nix-bin)', unless: () => hasTool('nix-store') },
  { file: 'docs/cache.md', starts: 'nix-store --realise "$P"', why: 'needs Nix (Debian\'s nix-bin) and root to write /nix/store', unless: () => hasTool('nix-store') && process.getuid?.() === 0 },
];

/** A synopsis line: a placeholder stands where a real value would. */
const PLACEHOLDER = /<[a-z]+>|…|\bNAME\b|\[--|\bPATH\b|\bOBJ\b/;

/** Whether this machine's bootstrap tools have the hash the README's build example names. */
function bootstrapMatches(): boolean {
  if (!hasTool('bwrap') || !hasTool('bash-static') || !hasTool('busybox')) return false;
  const dir = tempDir('docs-bootstrap');
  const r = spawnSync(process.execPath, [bin, '--store', join(dir, 'store'), 'bootstrap-tools'], { encoding: 'utf8' });
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const hash = /bootstrap-tools&sha256=([0-9a-f]{64})/.exec(readme)?.[1];
  return r.status === 0 && hash !== undefined && r.stdout.includes(hash);
}

/** The ```sh blocks of a markdown file, cut into whole commands. */
function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```sh') continue;
    const start = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    blocks.push({ file, line: start, commands: commandsOf(body, start + 1) });
  }
  return blocks;
}

/** Cut lines into commands: a command ends where bash finds the text so far complete (`bash -n`). */
function commandsOf(body: readonly string[], firstLine: number): Command[] {
  const out: Command[] = [];
  let acc: string[] = [];
  let line = firstLine;
  body.forEach((text, i) => {
    if (acc.length === 0) {
      if (text.trim() === '' || text.trim().startsWith('#')) return;
      line = firstLine + i;
    }
    acc.push(text);
    const joined = acc.join('\n');
    if (spawnSync('bash', ['-n'], { input: joined }).status === 0) {
      out.push({ line, text: joined });
      acc = [];
    }
  });
  if (acc.length > 0) out.push({ line, text: acc.join('\n') });
  return out;
}

/** The command without trailing `  # comments` (which may show elided output, `sha256=d138…`). */
function withoutComments(text: string): string {
  return text.split('\n').map((l) => l.replace(/\s{2,}#.*$|^\s*#.*$/, '')).join('\n');
}

/** The command as run: without a leading `npm ci && ` (the tree is installed already). */
function asRun(c: Command): string {
  return c.text.replace(/^npm ci && /, '');
}

function skipOf(file: string, c: Command): string | undefined {
  const text = asRun(c);
  if (PLACEHOLDER.test(withoutComments(text))) return 'a synopsis with placeholders';
  const rule = SKIP.find((s) => s.file === file && text.startsWith(s.starts));
  if (rule && !(rule.unless?.() ?? false)) return rule.why;
  return undefined;
}

/** What the examples expect to find in their working directory. */
function setUp(dir: string): void {
  symlinkSync(join(root, 'examples'), join(dir, 'examples'));
  mkdirSync(join(dir, 'some', 'dir'), { recursive: true });
  writeFileSync(join(dir, 'some', 'dir', 'README'), 'a directory to add\n');
  mkdirSync(join(dir, 'project', 'src'), { recursive: true });
  writeFileSync(join(dir, 'project', '.gitignore'), 'build/\n');
  writeFileSync(join(dir, 'project', 'src', 'main.c'), 'int main(void) { return 0; }\n');
}

function runBlock(t: TestContext, block: Block): void {
  const dir = tempDir('docs');
  setUp(dir);
  const script = [
    'set -o pipefail',
    `npx() { if [ "$1" = nomia ]; then shift; node "$NOMIA_BIN" "$@"; else echo "npx $1 is not available in this test" >&2; return 127; fi; }`,
    'nomia() { node "$NOMIA_BIN" "$@"; }',
  ];
  for (const c of block.commands) {
    const why = skipOf(block.file, c);
    if (why) {
      t.diagnostic(`skipped ${block.file}:${c.line}: ${why}`);
      continue;
    }
    script.push(asRun(c), `__rc=$?; if [ $__rc -ne 0 ]; then echo "the example at ${block.file}:${c.line} failed with status $__rc" >&2; exit 1; fi`);
  }
  const r = spawnSync('bash', ['-c', script.join('\n')], {
    cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, LANG: 'C', NOMIA_HOME: join(dir, 'home'), NOMIA_BIN: bin },
  });
  assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
}

const documents = ['README.md', ...readdirSync(join(root, 'docs'), { recursive: true })
  .map(String).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

describe('shell examples in the docs run', () => {
  for (const file of documents) {
    for (const block of blocksOf(file)) {
      // A block of synopses and commands this test cannot give what they need (each listed in SKIP with
      // its reason) is not a test of its own: only blocks with something to run are.
      if (block.commands.every((c) => skipOf(file, c))) continue;
      test(`${file}:${block.line}`, (t) => runBlock(t, block));
    }
  }
});
