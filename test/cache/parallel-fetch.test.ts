/**
 * Substitution of a closure big enough to be restored in parallel on the
 * restore threads (issue 18's benchmark path), from a real nginx: every
 * object arrives byte-identical; a tampered or truncated NAR among them is
 * refused with nothing wrong entering the store, and an object referring to
 * a refused one is not committed either (it waits for its references); a
 * realize whose closure has a tampered object builds instead.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSecretKey, parseSecretKey } from '../../src/cache/keys.js';
import { narPath } from '../../src/cache/paths.js';
import { pushObjects, pushRecord } from '../../src/cache/push.js';
import type { RecordObject } from '../../src/cache/record.js';
import { Substituters } from '../../src/cache/substituters.js';
import { openTransport } from '../../src/cache/transport.js';
import { NomiaError } from '../../src/errors.js';
import { deferCleanUps } from '../../src/store/background.js';
import { addPath } from '../../src/store/add.js';
import { toHex } from '../../src/store/hash.js';
import { parseObjectPath } from '../../src/store/store-path.js';
import { openStore, realPath } from '../../src/store/store.js';
import { verify } from '../../src/store/verify.js';
import { nomia, tempDir } from '../support/cli.js';
import { haveNginx, startNginx, type Nginx } from '../support/nginx.js';

const skip = !haveNginx() && process.env['CI'] !== 'true' ? 'nginx is not installed' : false;
const dir = tempDir('parallel-fetch');
const www = join(dir, 'www');
const key = parseSecretKey(generateSecretKey('parallel-1'));

/** Content of the i-th file: distinct, 1.5 MiB for every third (the closure passes the restore threads' threshold). */
function content(i: number): Buffer {
  const b = Buffer.alloc(i % 3 === 0 ? 3 << 19 : 10_000 + i * 996);
  for (let j = 0; j < b.length; j += 4) b.writeUInt32LE(((j + 1) * 2654435761 + i * 40503) >>> 0, j);
  return b;
}

const narFile = (o: RecordObject): string => join(www, 'cache', narPath(toHex(parseObjectPath(o.path)!.hash)));

describe('a closure restored in parallel', { skip }, () => {
  let server: Nginx;
  let objects: readonly RecordObject[] = [];
  let storeDir = '';
  const sources = new Map<string, Buffer>();
  before(async () => {
    const a = openStore({ dir: join(dir, 'a'), fsync: false });
    const paths: string[] = [];
    for (let i = 0; i < 12; i++) {
      const f = join(dir, `file${i}`);
      writeFileSync(f, content(i));
      // The last refers to the fourth (as a build output names its inputs): it must come after it.
      const refs = i === 11 ? [paths[3]!] : [];
      const p = (await addPath(a, f, { references: refs })).object.path;
      sources.set(p, content(i));
      paths.push(p);
    }
    const t = openTransport(join(www, 'cache'));
    objects = (await pushObjects(a, t, key, paths)).objects;
    storeDir = a.layout.storeDir;
    await pushRecord(t, key, { from: 'nomia1-closure', namespace: 'builtin:test@1', to: 'test:closure', storeDir, objects });
    a.close();
    server = await startNginx(join(dir, 'nginx'), www);
  });
  after(() => server?.stop());

  /**
   * Substitute the closure into a new store at A's store directory (its objects have references), as a
   * realize does: with clean-ups deferred to its end (background.ts), which is not waited for before tmp/
   * is looked at. A process ends soon after a failed realize: what it leaves in tmp/ when the substitution
   * settles may outlive it.
   */
  async function substituteInto(name: string): Promise<{ error: unknown; present: string[]; consistent: boolean }> {
    rmSync(join(dir, 'a'), { recursive: true, force: true });
    const b = openStore({ dir: join(dir, 'a'), fsync: true });
    assert.equal(b.layout.storeDir, storeDir);
    const subs = new Substituters({ substituters: [`${server.url}/cache`], trustedKeys: [key.publicText] });
    let error: unknown;
    const cleanUps = deferCleanUps();
    let left: string[];
    try {
      const found = await subs.find(b, 'nomia1-closure', (m) => assert.fail(m));
      assert.ok(found, `${name}: no record`);
      await subs.fetch(b, found);
    } catch (e) {
      error = e;
    } finally {
      subs.close();
      left = readdirSync(b.layout.tmpDir);
      await cleanUps();
    }
    assert.deepEqual(left, [], `${name}: leftovers in tmp/ when the substitution settled`);
    const present = objects.map((o) => o.path).filter((p) => b.db.object(p));
    for (const p of present) assert.deepEqual(readFileSync(realPath(b, p)), sources.get(p), `${name}: ${p} differs`);
    const v = await verify(b);
    // Nothing but registered objects in store/, nothing left in tmp/.
    assert.deepEqual(readdirSync(b.layout.storeDir).sort(), [...present].sort(), `${name}: unregistered entries in the store`);
    assert.deepEqual(readdirSync(b.layout.tmpDir), [], `${name}: leftovers in tmp/`);
    b.close();
    return { error, present, consistent: v.issues.length === 0 };
  }

  test('every object arrives, byte-identical, references before what refers to them', async () => {
    const r = await substituteInto('intact');
    assert.equal(r.error, undefined);
    assert.equal(r.present.length, objects.length);
    assert.ok(r.consistent);
  });

  test('a tampered NAR is refused; the object referring to it is not committed; the rest is complete', async () => {
    const bad = objects.find((o) => o.path === objects[objects.length - 1]!.references[0])!;
    const file = narFile(bad);
    const original = readFileSync(file);
    const tampered = Buffer.from(original);
    tampered[tampered.length - 200]! ^= 1;
    writeFileSync(file, tampered);
    try {
      const r = await substituteInto('tampered');
      assert.ok(r.error instanceof NomiaError && r.error.code === 'nar/corrupt', String(r.error));
      // The hash it is held to is the one the trusted key signed.
      assert.match((r.error as Error).message, /has the hash [0-9a-f]{64}, not the [0-9a-f]{64} the signed record gives$/);
      assert.ok(!r.present.includes(bad.path), 'the tampered object entered the store');
      assert.ok(!r.present.includes(objects[objects.length - 1]!.path), 'an object whose reference was refused entered the store');
      assert.ok(r.consistent);
    } finally {
      writeFileSync(file, original);
    }
  });

  test('a NAR cut short is refused; nothing of it stays', async () => {
    const bad = objects[0]!;
    const file = narFile(bad);
    const original = readFileSync(file);
    truncateSync(file, original.length - 4096);
    try {
      const r = await substituteInto('truncated');
      assert.ok(r.error instanceof NomiaError, String(r.error));
      assert.ok(!r.present.includes(bad.path));
      assert.ok(r.consistent);
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe('a realize whose closure has a tampered object', { skip }, () => {
  const env = { XDG_CONFIG_HOME: join(dir, 'config') };
  const mark = join(dir, 'ran');
  // `big` is 6 MB (the restore threads take the closure); `use` refers to it by naming its path.
  const big = 'exec:run?args=[sh, -c, "head -c 6000000 /dev/zero | tr \\"\\\\0\\" x > $out"]';
  const use = `exec:run?args=[sh, -c, "echo ran >> ${mark}; echo $in > $out"](in: ${big})`;
  const runs = (): number => (existsSync(mark) ? readFileSync(mark, 'utf8').split('\n').filter(Boolean).length : 0);
  let server: Nginx;
  before(async () => { server = await startNginx(join(dir, 'nginx-realize'), join(dir, 'www-realize')); });
  after(() => server?.stop());

  test('builds instead, and nothing of the tampered closure enters the store', () => {
    const store = join(dir, 'realize-store');
    const built = nomia(store, ['realize', use], { env });
    assert.equal(built.code, 0, built.err);
    const k = nomia(store, ['key', 'generate', 'realize-1'], { env }).out.trim();
    const p = nomia(store, ['push', `${server.url}/c`, use], { env });
    assert.equal(p.code, 0, p.err);
    // The big object's NAR: the one over 6 MB.
    const nars = join(dir, 'www-realize', 'c', 'nar');
    const nar = readdirSync(nars).map((f) => join(nars, f)).find((f) => readFileSync(f).length > 6_000_000)!;
    const bytes = readFileSync(nar);
    bytes[bytes.length - 100]! ^= 1;
    writeFileSync(nar, bytes);
    renameSync(store, join(dir, 'realize-store-a'));
    const before = runs();
    const r = nomia(store, ['realize', use, '--substituter', `${server.url}/c`, '--trusted-key', k, '--log-format', 'plain'], { env });
    assert.equal(r.code, 0, r.err);
    assert.equal(runs(), before + 1, 'B did not build');
    assert.match(r.err, /corrupt NAR.*building instead/);
    assert.match(readFileSync(r.out.trim().split('\n')[1]!, 'utf8'), /-out\n$/);
    const v = nomia(store, ['verify', '--json'], { env });
    assert.equal(JSON.parse(v.out).consistent, true, v.out);
  });
});
