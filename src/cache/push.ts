/**
 * Writing to a cache (docs/spec/cache.md). Objects go first, each complete
 * before anything points at it: its NAR, then its `.narinfo` (Nix's entry),
 * then its metadata file `objects/<hash part>`, which is the mark that the
 * object is there; a reduction record is written only after every object
 * of its closure. A reader that follows a record therefore never meets a
 * missing object, whatever point a push was cut off at.
 */
import { createHash } from 'node:crypto';
import { dumpPath } from '../store/nar.js';
import { closureInOrder, exportMagic, itemHeader, otherReferences } from '../store/export.js';
import { toHex } from '../store/hash.js';
import { parseObjectPath } from '../store/store-path.js';
import { realPath, type Store } from '../store/store.js';
import { signText, type SecretKey } from './keys.js';
import { formatNarInfo, NIX_CACHE_INFO, nixFingerprint, nixFixedPath, nixHashPart } from './narinfo.js';
import { formatRecord, signRecord, type ReductionRecord, type RecordObject } from './record.js';
import type { Transport } from './transport.js';
import { narPath, objectInfoPath, recordPath } from './paths.js';

/** What a push wrote. */
export interface PushResult {
  /** Objects uploaded now; the others of the closure were in the cache already. */
  readonly uploaded: number;
  readonly bytes: number;
  /** The closure of the objects pushed, each with its metadata, every object after the objects it refers to. */
  readonly objects: readonly RecordObject[];
}

/** Push the objects `paths` (registered in `store`) and their closure to the cache behind `t`. */
export async function pushObjects(store: Store, t: Transport, key: SecretKey, paths: readonly string[]): Promise<PushResult> {
  if (!(await t.has('nix-cache-info'))) await t.put('nix-cache-info', Buffer.from(NIX_CACHE_INFO));
  const objects: RecordObject[] = [];
  let uploaded = 0;
  let bytes = 0;
  for (const path of closureInOrder(store, paths)) {
    const row = store.db.object(path)!;
    const references = otherReferences(store, path).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const hashHex = toHex(row.hash);
    const chunks: Buffer[] = [];
    await dumpPath(realPath(store, path), (c) => void chunks.push(Buffer.from(c)));
    const nar = Buffer.concat(chunks);
    // A self-referring object's hash is taken modulo its own path, so it differs from its NAR's plain hash.
    const selfReference = createHash('sha256').update(nar).digest('hex') !== hashHex;
    objects.push({ path, references, narSize: nar.length, selfReference });
    const info = objectInfoPath(path);
    if (await t.has(info)) continue;
    await t.put(narPath(hashHex), nar);
    if (!references.length && !selfReference) {
      const storePath = nixFixedPath(hashHex, parseObjectPath(path)!.name);
      const narinfo = { storePath, url: narPath(hashHex), narHex: hashHex, narSize: nar.length };
      await t.put(`${nixHashPart(storePath)}.narinfo`, Buffer.from(formatNarInfo(narinfo, signText(key, nixFingerprint(narinfo)))));
    }
    await t.put(info, Buffer.concat([exportMagic(), itemHeader(path, hashHex, references)]));
    uploaded++;
    bytes += nar.length;
  }
  return { uploaded, bytes, objects };
}

/** Sign and write a reduction record; its objects must have been pushed. */
export async function pushRecord(t: Transport, key: SecretKey, record: ReductionRecord): Promise<void> {
  await t.put(recordPath(record.from), Buffer.from(formatRecord(signRecord(record, key))));
}

