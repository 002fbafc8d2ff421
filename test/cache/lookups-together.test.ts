/**
 * Records looked up together (the sibling nodes of a graph), against a
 * real nginx on 127.0.0.1: their signatures are checked on libuv's thread
 * pool (src/cache/signature-checks.ts), and the trust rule holds there as
 * on the calling thread. Among 64 lookups at once, the records signed by the
 * trusted key are followed; one signed by an unknown key, one by another
 * key of the trusted key's name, one altered after it was signed and one
 * that is not a record are each refused with the reason, and a spelling the
 * cache lacks is simply not found. The same records looked up one at a time
 * get the same answers.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSecretKey, parseSecretKey, type SecretKey } from '../../src/cache/keys.js';
import { recordPath } from '../../src/cache/paths.js';
import { pushRecord } from '../../src/cache/push.js';
import { NIX_CACHE_INFO } from '../../src/cache/narinfo.js';
import { Substituters } from '../../src/cache/substituters.js';
import { openTransport } from '../../src/cache/transport.js';
import { openStore, type Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { haveNginx, startNginx, type Nginx } from '../support/nginx.js';

const skip = !haveNginx() && process.env['CI'] !== 'true' ? 'nginx is not installed' : false;
const dir = tempDir('cache-lookups-together');
const trusted = parseSecretKey(generateSecretKey('team-1'));
const stranger = parseSecretKey(generateSecretKey('stranger-1'));
const impostor = parseSecretKey(generateSecretKey('team-1'));
const object = { path: `${'0'.repeat(52)}-out`, references: [], narSize: 9, selfReference: false };

/** What each spelling's lookup must give: followed, or refused with a note matching the pattern, or not found. */
const want = new Map<string, RegExp | 'followed' | 'absent'>();

async function put(key: SecretKey, from: string): Promise<void> {
  await pushRecord(openTransport(join(dir, 'www', 'cache')), key, { from, namespace: 'builtin:exec@1', to: 'x:y', storeDir: '/s/store', objects: [object] });
}

describe('records looked up together', { skip }, () => {
  let server: Nginx;
  let store: Store;
  before(async () => {
    const www = join(dir, 'www', 'cache');
    for (let i = 0; i < 58; i++) {
      await put(trusted, `nomia1-good${i}`);
      want.set(`nomia1-good${i}`, 'followed');
    }
    writeFileSync(join(www, 'nix-cache-info'), NIX_CACHE_INFO);
    await put(stranger, 'nomia1-stranger');
    want.set('nomia1-stranger', /signed by the key stranger-1, which is not a trusted key/);
    await put(impostor, 'nomia1-impostor');
    want.set('nomia1-impostor', /signed as team-1, but the trusted key team-1:\S+ does not verify it/);
    await put(trusted, 'nomia1-altered');
    const file = join(www, recordPath('nomia1-altered'));
    writeFileSync(file, readFileSync(file, 'utf8').replace('"narSize":9', '"narSize":8'));
    want.set('nomia1-altered', /signed as team-1, but the trusted key team-1:\S+ does not verify it/);
    writeFileSync(join(www, recordPath('nomia1-garbage')), '{"from":"nomia1-garbage"}\n');
    want.set('nomia1-garbage', /the record for nomia1-garbage is malformed/);
    want.set('nomia1-missing', 'absent');
    server = await startNginx(join(dir, 'nginx'), join(dir, 'www'));
    store = openStore({ dir: join(dir, 'store'), fsync: false });
  });
  after(async () => {
    store?.close();
    await server?.stop();
  });

  /** Each spelling's outcome: `followed`, `absent`, or the notes of its refusal. */
  async function lookUp(subs: Substituters, spelling: string): Promise<string> {
    const notes: string[] = [];
    const found = await subs.find(store, spelling, (m) => notes.push(m));
    if (found) return found.key === trusted.publicText && notes.length === 0 ? 'followed' : `followed by ${found.key}, ${notes.join('; ')}`;
    return notes.length ? notes.join('; ') : 'absent';
  }

  function check(spellings: readonly string[], got: readonly string[]): void {
    spellings.forEach((s, i) => {
      const w = want.get(s)!;
      if (typeof w === 'string') assert.equal(got[i], w, s);
      else assert.match(got[i]!, w, s);
    });
  }

  test('64 at once: the trusted records are followed, the others refused with their reason', async () => {
    const subs = new Substituters({ substituters: [`${server.url}/cache`], trustedKeys: [trusted.publicText] });
    try {
      const spellings = [...want.keys()];
      // Interleaved, so that the refused records arrive among good ones.
      spellings.sort((x, y) => (x.length * 7919) % 13 - (y.length * 7919) % 13 || x.localeCompare(y));
      check(spellings, await Promise.all(spellings.map((s) => lookUp(subs, s))));
    } finally {
      subs.close();
    }
  });

  test('one at a time: the same answers', async () => {
    const subs = new Substituters({ substituters: [`${server.url}/cache`], trustedKeys: [trusted.publicText] });
    try {
      const spellings = [...want.keys()].filter((s) => !/good[1-9]\d/.test(s));
      const got: string[] = [];
      for (const s of spellings) got.push(await lookUp(subs, s));
      check(spellings, got);
    } finally {
      subs.close();
    }
  });
});
