/**
 * A binary cache over HTTP (issue 18, must-work 1, 4 and 5) with a real
 * nginx on 127.0.0.1: pushed with PUT, substituted with GET by an empty
 * store without running anything; read by Nix's own `nix-store --realise`;
 * and, with the server stopped or stalling, realize builds after one short
 * timeout.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { freePort, haveNginx, startNginx, type Nginx } from '../support/nginx.js';

const skip = !haveNginx() && process.env['CI'] !== 'true' ? 'nginx is not installed' : false;
const dir = tempDir('cache-http');
const env = { XDG_CONFIG_HOME: join(dir, 'config') };
const mark = join(dir, 'ran');
const name = `exec:run?args=[sh, -c, "echo ran >> ${mark}; echo served by nginx > $out"]`;
const runs = (): number => (existsSync(mark) ? readFileSync(mark, 'utf8').split('\n').filter(Boolean).length : 0);

describe('a cache over HTTP', { skip }, () => {
  let server: Nginx;
  let key = '';
  let built = '';
  before(async () => {
    server = await startNginx(join(dir, 'nginx'), join(dir, 'www'));
    const a = join(dir, 'a');
    const r = nomia(a, ['realize', name], { env });
    assert.equal(r.code, 0, r.err);
    built = r.out.trim().split('\n')[1]!;
    key = nomia(a, ['key', 'generate', 'http-cache-1'], { env }).out.trim();
    const p = nomia(a, ['push', `${server.url}/cache`, name], { env });
    assert.equal(p.code, 0, p.err);
  });
  after(() => server?.stop());

  test('push writes with PUT; an empty store substitutes with GET and runs nothing', () => {
    assert.ok(existsSync(join(dir, 'www', 'cache', 'nix-cache-info')));
    const ran = runs();
    const r = nomia(join(dir, 'b'), ['realize', name, '--substituter', `${server.url}/cache`, '--trusted-key', key], { env });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), ran);
    assert.deepEqual(readFileSync(r.out.trim().split('\n')[1]!), readFileSync(built));
  });

  test('nix-store --realise substitutes the object from the cache (a content-addressed path: Nix checks it by its hash)', () => {
    const entry = basename(built);
    const hash = entry.slice(0, 52);
    const nixPath = execFileSync('nix-store', ['--print-fixed-path', '--recursive', 'sha256', hash, entry.slice(53)], { encoding: 'utf8' }).trim();
    spawnSync('nix-store', ['--delete', nixPath], { stdio: 'ignore' });
    const args = ['--realise', nixPath, '--option', 'substituters', `${server.url}/cache`, '--option', 'trusted-public-keys', key];
    const r = spawnSync('nix-store', args, { encoding: 'utf8' });
    try {
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), nixPath);
      assert.deepEqual(readFileSync(nixPath), readFileSync(built));
    } finally {
      spawnSync('nix-store', ['--delete', nixPath], { stdio: 'ignore' });
    }
  });

  test('with the server stopped, realize builds, saying the cache is down once', async () => {
    const down = `http://127.0.0.1:${await freePort()}/cache`;
    const ran = runs();
    const r = nomia(join(dir, 'b-down'), ['realize', name, '--substituter', down, '--trusted-key', key, '--log-format', 'plain'], { env });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), ran + 1);
    assert.equal(r.err.match(/is down: .*not asked again in this run/g)?.length, 1, r.err);
  });

  test('a URL whose path is no cache (every lookup 404): realize says so once and builds', () => {
    const ran = runs();
    const r = nomia(join(dir, 'b-typo'), ['realize', name, '--substituter', `${server.url}/cahce`, '--trusted-key', key, '--log-format', 'plain'], { env });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), ran + 1);
    assert.equal(r.err.match(/\/cahce is not a binary cache: it has no nix-cache-info \(check the URL\); not asked again in this run/g)?.length, 1, r.err);
  });

  test('a cache that accepts connections and never answers is down after one timeout', async () => {
    const sockets: Socket[] = [];
    const stall = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    const port = (stall.address() as { port: number }).port;
    try {
      const ran = runs();
      const r = nomia(join(dir, 'b-stall'), ['realize', name, '--substituter', `http://127.0.0.1:${port}/c`, '--trusted-key', key, '--log-format', 'plain'], { env: { ...env, NOMIA_CACHE_TIMEOUT_MS: '300' } });
      assert.equal(r.code, 0, r.err);
      assert.equal(runs(), ran + 1);
      assert.match(r.err, /is down: no answer within 300 ms; not asked again in this run/);
    } finally {
      sockets.forEach((s) => s.destroy());
      stall.close();
    }
  });
});

