/**
 * apt's answers, kept while nothing they depend on has changed: asking apt
 * to resolve a closure reads the whole index (a second or more), and a
 * contextual name realized again within the index's TTL must get the same
 * answer anyway (docs/namespaces/deb.md, "apt, the index, and the network").
 *
 * An answer (the `--print-uris` output of one question) is filed under a
 * hash of everything apt's answer depends on: the question, apt's options
 * (our state directories), the index as it is on disk (name, size and
 * mtime of every file under `lists/`: an `apt-get update` that changes
 * anything changes it), and the system's apt configuration (every file
 * under `/etc/apt`: sources, preferences and pins, `apt.conf.d`) with
 * dpkg's list of foreign architectures. With `APT_CONFIG` set, apt may read
 * its configuration from anywhere: then no answer is kept or used.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RealizeContext } from '../../namespace/index.js';

/** The system's apt configuration: sources, preferences and pins, `apt.conf.d`. */
export const APT_ETC = '/etc/apt';
/** dpkg's list of foreign architectures (absent when there are none). */
export const DPKG_ARCHES = '/var/lib/dpkg/arch';

/** Where the answers are, in the deb cache `root`. */
export function answersRoot(root: string): string {
  return join(root, 'answers');
}

/** Name, size and mtime of every file under `dir` (sorted), as lines. */
function signature(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    out.push(`${dir} absent`);
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) signature(p, out);
    else out.push(`${p} ${st?.size} ${st?.mtimeMs}`);
  }
}

/** The key of a question's answer, or undefined when answers cannot be kept (APT_CONFIG set). */
export function answerKey(ctx: RealizeContext, lists: string, question: readonly string[]): string | undefined {
  if (ctx.context.env['APT_CONFIG'] !== undefined) return undefined;
  const lines = [JSON.stringify(question)];
  signature(lists, lines);
  signature(APT_ETC, lines);
  const arch = statSync(DPKG_ARCHES, { throwIfNoEntry: false });
  lines.push(arch ? readFileSync(DPKG_ARCHES, 'utf8') : 'no foreign architectures');
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** The kept answer filed under `key`, if any. */
export function keptAnswer(root: string, key: string): string | undefined {
  try {
    return readFileSync(join(answersRoot(root), key), 'utf8');
  } catch {
    return undefined;
  }
}

/** File `answer` under `key` (written whole, then renamed: a reader never sees half of one). */
export function keepAnswer(root: string, key: string, answer: string): void {
  mkdirSync(answersRoot(root), { recursive: true });
  const tmp = join(answersRoot(root), `.${key}.${process.pid}`);
  writeFileSync(tmp, answer);
  renameSync(tmp, join(answersRoot(root), key));
}
