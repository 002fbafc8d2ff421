/**
 * A real nginx on 127.0.0.1 serving a directory, accepting PUT (its dav
 * module), as the cache tests and bench/cache need. Started in the
 * foreground (`daemon off`), with every temporary path inside `dir`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

export interface Nginx {
  readonly url: string;
  readonly port: number;
  /** The master process (its workers are its children). */
  readonly pid: number;
  stop(): Promise<void>;
}

/** Whether nginx is installed here. */
export function haveNginx(): boolean {
  return spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;
}

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}

/**
 * Start nginx serving `root` (read and PUT) on a free port; `dir` holds its configuration and temp files.
 * Its workers run as `user` (nginx's `user USER [GROUP]`; root unless told: as another user they may not write a root-owned `root`).
 */
export async function startNginx(dir: string, root: string, port?: number, user = 'root'): Promise<Nginx> {
  const p = port ?? await freePort();
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  mkdirSync(root, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  const t = (n: string) => `${n}_temp_path ${join(dir, 'tmp', n)};`;
  writeFileSync(conf, `daemon off;
user ${user};
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')};
events { worker_connections 512; }
http {
  access_log off;
  ${t('client_body')} ${t('proxy')} ${t('fastcgi')} ${t('uwsgi')} ${t('scgi')}
  client_max_body_size 0;
  keepalive_requests 100000;
  # nginx's default is off (it then reads each file into a buffer and writes that out); on, as a cache is
  # deployed and as Debian's nginx.conf has it, so that the bench's peers and nomia read from the same server.
  sendfile on;
  server {
    listen 127.0.0.1:${p};
    root ${root};
    location / { dav_methods PUT; create_full_put_path on; dav_access user:rw group:r all:r; }
  }
}
`);
  const child: ChildProcess = spawn('nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => { exited = true; });
  for (let i = 0; i < 200 && !exited; i++) {
    if (await accepting(p)) {
      return {
        url: `http://127.0.0.1:${p}`, port: p, pid: child.pid!,
        stop: () => new Promise((resolve) => {
          if (exited) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
      };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not start on port ${p} (see ${join(dir, 'error.log')})`);
}
