/**
 * Git repositories made by the tests (no network): plumbing commands in a
 * pinned environment, so commits are reproducible and no user config leaks in.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const gitEnv: NodeJS.ProcessEnv = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.org', GIT_AUTHOR_DATE: '1700000000 +0000',
  GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.org', GIT_COMMITTER_DATE: '1700000000 +0000',
  LC_ALL: 'C',
};

/** Run git in `cwd`; its stdout, trimmed. */
export function git(cwd: string, args: string[], input?: string | Buffer): string {
  return execFileSync('git', args, { cwd, env: gitEnv, input: input ?? '', maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] }).toString().trim();
}

/** A file to commit: text, bytes, an executable, or a symlink. Paths may be bytes (names that are not UTF-8). */
export type Entry = string | Buffer | { readonly exe: string } | { readonly symlink: string };

export class Repo {
  constructor(readonly dir: string) {}

  /** A fresh repository with `main` as its default branch. */
  static init(dir: string): Repo {
    mkdirSync(dir, { recursive: true });
    git(dir, ['init', '--quiet', '--initial-branch=main', '--template=', '.']);
    return new Repo(dir);
  }

  /** Write `files` (relative paths) into the work tree, stage everything, commit; returns the commit's hash. */
  commit(message: string, files: Readonly<Record<string, Entry>> = {}, rawPaths: readonly [Buffer, string][] = []): string {
    for (const [rel, e] of Object.entries(files)) this.write(rel, e);
    for (const [rel, content] of rawPaths) writeFileSync(Buffer.concat([Buffer.from(`${this.dir}/`), rel]), content);
    git(this.dir, ['add', '--all']);
    git(this.dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
    return this.head();
  }

  write(rel: string, e: Entry): void {
    const path = join(this.dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof e === 'string' || Buffer.isBuffer(e)) writeFileSync(path, e);
    else if ('exe' in e) writeFileSync(path, e.exe, { mode: 0o755 });
    else execFileSync('ln', ['-sfn', e.symlink, path]);
  }

  head(ref = 'HEAD'): string {
    return git(this.dir, ['rev-parse', `${ref}^{commit}`]);
  }

  run(args: string[], input?: string | Buffer): string {
    return git(this.dir, args, input);
  }
}

/**
 * Two commits whose hashes share their first four hex digits, made by
 * varying the message of a root commit until two collide (about 300 tries,
 * hashed here, only the two written), each on its own branch.
 */
export function collidingCommits(repo: Repo): { prefix: string; commits: [string, string] } {
  const tree = repo.run(['write-tree']);
  const body = (i: number) => Buffer.from(`tree ${tree}\nauthor Test <test@example.org> 1700000000 +0000\ncommitter Test <test@example.org> 1700000000 +0000\n\ncollision ${i}\n`);
  const sha = (b: Buffer) => createHash('sha1').update(`commit ${b.length}\0`).update(b).digest('hex');
  const seen = new Map<string, number>();
  for (let i = 0; ; i++) {
    const h = sha(body(i));
    const j = seen.get(h.slice(0, 4));
    if (j !== undefined) {
      const a = repo.run(['hash-object', '-t', 'commit', '-w', '--stdin'], body(j));
      const b = repo.run(['hash-object', '-t', 'commit', '-w', '--stdin'], body(i));
      repo.run(['update-ref', 'refs/heads/collide-a', a]);
      repo.run(['update-ref', 'refs/heads/collide-b', b]);
      return { prefix: h.slice(0, 4), commits: [a, b] };
    }
    seen.set(h.slice(0, 4), i);
  }
}
