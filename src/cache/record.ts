/**
 * Reduction records (docs/spec/cache.md, "Reduction records"): a signed
 * statement that the thing spelled `from` reduces, for the namespace spelled
 * `namespace`, to the name `to`, whose objects (`objects`, every object
 * after the objects it refers to) were built under the store directory
 * `storeDir`. The signature covers every field, so a reader that trusts the
 * key trusts each object's path, hence its content hash, and its references.
 */
import { parseObjectPath } from '../store/store-path.js';
import { signText, verifiedBy, type PublicKey, type SecretKey } from './keys.js';

/** One object of a record's closure. */
export interface RecordObject {
  /** The store entry `<52 base32 of its hash>-<name>`. */
  readonly path: string;
  /** The other objects it refers to, in increasing byte order. */
  readonly references: readonly string[];
  readonly narSize: number;
  /** It contains its own path (so it is valid only under `storeDir`). */
  readonly selfReference: boolean;
}

export interface ReductionRecord {
  readonly from: string;
  readonly namespace: string;
  readonly to: string;
  readonly storeDir: string;
  readonly objects: readonly RecordObject[];
}

/** A record with its signature, `keyname:base64`. */
export interface SignedRecord extends ReductionRecord {
  readonly sig: string;
}

/** The bytes signed: every field, in a fixed order. */
export function recordFingerprint(r: ReductionRecord): string {
  return `nomia-reduction-1;${JSON.stringify([r.from, r.namespace, r.to, r.storeDir, r.objects.map((o) => [o.path, o.references, o.narSize, o.selfReference])])}`;
}

export function signRecord(r: ReductionRecord, key: SecretKey): SignedRecord {
  return { ...r, sig: signText(key, recordFingerprint(r)) };
}

/** The file's text: one JSON object and a newline. */
export function formatRecord(r: SignedRecord): string {
  const { from, namespace, to, storeDir, objects, sig } = r;
  return `${JSON.stringify({ from, namespace, to, storeDir, objects: objects.map(({ path, references, narSize, selfReference }) => ({ path, references, narSize, selfReference })), sig })}\n`;
}

const isString = (x: unknown): x is string => typeof x === 'string';

function readObject(x: unknown): RecordObject | undefined {
  const o = x as Partial<RecordObject> | null;
  if (typeof o !== 'object' || o === null || !isString(o.path) || !parseObjectPath(o.path)) return undefined;
  if (!Array.isArray(o.references) || !o.references.every((r) => isString(r) && parseObjectPath(r) && r !== o.path)) return undefined;
  if (!Number.isSafeInteger(o.narSize) || o.narSize! < 0 || typeof o.selfReference !== 'boolean') return undefined;
  return { path: o.path, references: o.references, narSize: o.narSize!, selfReference: o.selfReference };
}

/** Read a record's text; undefined when it is not one (a reader treats that as no record). */
export function parseRecord(text: string): SignedRecord | undefined {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof j !== 'object' || j === null || !Array.isArray(j['objects'])) return undefined;
  const { from, namespace, to, storeDir, sig } = j;
  if (!isString(from) || !isString(namespace) || !isString(to) || !isString(storeDir) || !isString(sig)) return undefined;
  const objects = (j['objects'] as unknown[]).map(readObject);
  if (!objects.every((o): o is RecordObject => o !== undefined)) return undefined;
  // Every reference must be to an object earlier in the list (or the reader could not add it first).
  const seen = new Set<string>();
  for (const o of objects) {
    if (!o.references.every((r) => seen.has(r))) return undefined;
    seen.add(o.path);
  }
  return { from, namespace, to, storeDir, objects, sig };
}

/** The trusted key that signed `r`, or undefined (unsigned, signed by another key, or altered). */
export function signerOf(r: SignedRecord, keys: readonly PublicKey[]): PublicKey | undefined {
  return verifiedBy(keys, recordFingerprint(r), r.sig);
}
