/**
 * The `private-filesystem?user=U` namespace: content-addressed objects that
 * only user U (and root) can read, kept in U's private store (see
 * private-store.ts) and never in the shared one.
 *
 * - `by-content?sha256=…[&name=…]`: an object of U's private store.
 * - `import?path=…[&name=…]`: a file or tree from outside the store, added
 *   to U's private store; reduces to by-content.
 *
 * Every realize checks the requesting process's user before it touches
 * anything of U's: another user gets `private/permission`, with the same
 * message whether the object exists or not, naming both users and nothing
 * else. Both names are contextual: their result depends on who asks, so the
 * engine never hands one out (or anything made from one) from a recorded
 * reduction without running this check again.
 */
import { basename, resolve } from 'node:path';
import {
  addPath, type AtomRequest, checkObjectName, defaultObjectName, findObject, fsType, hashPath, leaf, type Namespace, NomiaError,
  type ObjectRow, onlyParams, printValue, type RealizeContext, requireParam, type Resource, stringParam, tryParseContentHash, unknownName,
  usage, cleanedUp, openPrivateStore, type PrivateStore, effectiveUser, lookupUser, type UnixUser,
} from '../../namespace/index.js';

const NAMES = ['by-content?sha256=…[&name=…]', 'import?path=…[&name=…]'];
const USER = /^(?:[A-Za-z_][A-Za-z0-9._-]*\$?|\d+)$/;

function namespaceUsage(req: AtomRequest, what: string, hint: string): NomiaError {
  return new NomiaError('usage', `the namespace ${req.namespace.id} ${what}`, { hint });
}

/** The namespace parameter `user`, as written. */
function userParam(req: AtomRequest): string {
  const example = `e.g. ${req.namespace.id}?user=alice:${req.nameId}`;
  for (const p of req.namespace.params) {
    if (p.key !== 'user') throw namespaceUsage(req, `takes only the parameter \`user\`, not \`${p.key}\``, example);
  }
  const p = req.namespace.params.find((x) => x.key === 'user');
  if (!p) throw namespaceUsage(req, 'needs the parameter `user`: the owner of the private store', example);
  if (p.value.kind !== 'String' || !USER.test(p.value.value)) throw namespaceUsage(req, 'needs `user` to be a login name or a numeric user id', example);
  return p.value.value;
}

/** The private name of an object: `private-filesystem?user=U:by-content?name=N&sha256=<hex>`. */
function privateName(req: AtomRequest, user: string, o: Pick<ObjectRow, 'hash' | 'name'>): string {
  return `${req.namespace.id}?user=${printValue({ kind: 'String', value: user })}:by-content?name=${printValue({ kind: 'String', value: o.name })}&sha256=${o.hash}`;
}

/**
 * Refuse anyone but the owner and root, before anything of the owner's is
 * looked at: the message depends only on the two users and the operation,
 * so it tells nothing about the objects (not whether one exists).
 */
function checkAccess(req: AtomRequest, owner: UnixUser, adding: boolean): void {
  const me = effectiveUser();
  if (me.uid === owner.uid || me.uid === 0) return;
  const whose = `the private store of ${owner.name} (uid ${owner.uid})`;
  const what = adding ? `only ${owner.name} and root may add to ${whose}` : `${whose} is readable only by ${owner.name} and root`;
  throw new NomiaError('private/permission', `${req.namespace.id}?user=${owner.name}: ${what}; this process runs as ${me.name} (uid ${me.uid})`, {
    hint: `run it as ${owner.name}, or keep your own private objects under ${req.namespace.id}?user=${me.name}:…`,
  });
}

/** The built-in `private-filesystem` namespace, in-process only (docs/namespaces/private-filesystem.md). */
export const privateFilesystemNamespace: Namespace = {
  id: 'private-filesystem',
  spelling: 'builtin:private-filesystem@1',
  describe(req) {
    userParam(req);
    switch (req.nameId) {
      case 'by-content': onlyParams(req, ['sha256', 'name']); return leaf('fs-object', true);
      case 'import': onlyParams(req, ['path', 'name']); return leaf('fs-object', true);
      default: throw unknownName(req, NAMES);
    }
  },
  async realize(req, _inputs, ctx: RealizeContext) {
    if (req.nameId !== 'by-content' && req.nameId !== 'import') throw unknownName(req, NAMES);
    const user = userParam(req);
    const owner = lookupUser(user);
    if (!owner) throw namespaceUsage(req, `names the user ${JSON.stringify(user)}, who does not exist on this machine`, 'name an existing login name or user id (see `getent passwd`)');
    const adding = req.nameId === 'import';
    checkAccess(req, owner, adding);
    const resource = (priv: PrivateStore, o: ObjectRow): Resource => {
      const path = priv.objectPath(o.path);
      return { kind: 'object', type: fsType(path), name: privateName(req, user, o), path };
    };
    const options = { create: adding, fsync: ctx.store.fsync };
    if (!adding) {
      const text = requireParam(req, 'sha256', `${req.namespace.id}?user=${user}:by-content?sha256=<hex>`);
      const hash = tryParseContentHash(text);
      if (!hash) throw usage(req, `has an invalid sha256 ${JSON.stringify(text)}`, 'give 64 hex digits, Nix base32 or sha256-<base64>');
      const name = stringParam(req, 'name');
      const priv = openPrivateStore(ctx.store.layout.home, owner, options);
      try {
        const o = priv && findObject(priv.store, hash, name);
        if (!priv || !o) {
          throw new NomiaError('store/not-found', `no object with sha256 ${hash}${name === undefined ? '' : ` and name ${name}`} is in the private store of ${owner.name}`, {
            hint: `add it with \`nomia realize '${req.namespace.id}?user=${user}:import?path=…'\``,
          });
        }
        return { out: resource(priv, o) };
      } finally {
        priv?.close();
      }
    }
    const path = resolve(ctx.context.cwd, requireParam(req, 'path', `${req.namespace.id}?user=${user}:import?path=./secret`));
    const name = stringParam(req, 'name') !== undefined ? checkObjectName(stringParam(req, 'name')!) : defaultObjectName(basename(path)) ?? 'source';
    const priv = openPrivateStore(ctx.store.layout.home, owner, options)!;
    try {
      // Log lines are kept in the shared store: they say what happened, never which file or how big.
      const { hash } = await hashPath(path);
      const known = findObject(priv.store, hash, name);
      if (known) {
        ctx.log(`unchanged: already in the private store of ${owner.name}`);
        return { out: resource(priv, known) };
      }
      const { object } = await addPath(priv.store, path, { name });
      priv.adopt(object.path);
      ctx.log(`added to the private store of ${owner.name}`);
      return { out: resource(priv, object) };
    } catch (e) {
      throw priv.explain(e);
    } finally {
      // The add's work directory is removed in the background through the descriptor `close` gives up.
      await cleanedUp();
      priv.close();
    }
  },
};
