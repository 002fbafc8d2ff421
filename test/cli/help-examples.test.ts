/**
 * The names in the `Example:` blocks of every command's `--help` parse, as
 * a user types them: each block is run by bash (its quoting, `\$`, `$(…)`),
 * with `nomia` a shell function that keeps the name a name-taking command
 * is given and answers any other command with a by-content name. The
 * examples of `nomia up` (an unquoted `host:port`) and `nomia
 * bootstrap-tools` (a single-quoted string) did not parse.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

const dir = tempDir('help-examples');
const store = join(dir, 'store');
/** Commands whose first argument with a `:` is a name. */
const NAME_COMMANDS = ['realize', 'up', 'parse', 'spell', 'graph', 'log', 'reductions', 'path-info', 'rdeps', 'referrers', 'why-depends'];
const OBJECT = `filesystem:by-content?name=x&sha256=${'0'.repeat(64)}`;

const commands = (): string[] => {
  const help = nomia(store, ['--help']).out;
  return [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
};

/** The example lines of `cmd --help` that can run: nomia commands and assignments from them, without placeholders (`…`). */
function examples(cmd: string): string[] {
  const out = nomia(store, [cmd, '--help']).out;
  const at = out.search(/^Examples?:$/m);
  if (at < 0) return [];
  return out.slice(at).split('\n').slice(1).filter((l) => l.startsWith('  ')).map((l) => l.trim())
    .filter((l) => !l.includes('…') && !l.endsWith('\\') && /^(nomia |[a-z]+=\$\(nomia )/.test(l));
}

/** The names bash hands to name-taking commands when it runs `lines`. */
function namesOf(lines: readonly string[]): string[] {
  const out = join(dir, 'names');
  writeFileSync(out, '');
  const fn = `nomia() { local cmd=$1; shift
  case " ${NAME_COMMANDS.join(' ')} " in *" $cmd "*) ;; *) echo '${OBJECT}'; return;; esac
  for a in "$@"; do case "$a" in -*) ;; *:*) printf '%s\\0' "$a" >> ${out}; return;; esac; done; }\n`;
  const r = spawnSync('bash', ['-c', fn + lines.join('\n')], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out, 'utf8').split('\0').filter(Boolean);
}

describe('the examples of --help', () => {
  test('every name in them parses', () => {
    let checked = 0;
    for (const cmd of commands()) {
      for (const name of namesOf(examples(cmd))) {
        const p = nomia(store, ['parse', name]);
        assert.equal(p.code, 0, `nomia ${cmd} --help: ${name}\n${p.err}`);
        checked++;
      }
    }
    // up, bootstrap-tools, realize (2), parse: a filter that dropped them all would check nothing.
    assert.ok(checked >= 5, `only ${checked} names were checked`);
  });
});
