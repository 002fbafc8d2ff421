/**
 * From a finished build to store objects (the intensional store): check and
 * normalize each output, hash it modulo its self-references, rewrite it to
 * its final path, find its references among what the build could see, and
 * commit it. Outputs that refer to each other are stored in dependency
 * order, each rewritten to the final paths of those before it; a cycle
 * between outputs is refused (its paths could not be computed).
 */
import { copyFileSync, lstatSync, readlinkSync, renameSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import {
  byContentName, commitObject, dumpPath, entries, fsType, hashModulo, hashPart, HashPartScanner, NomiaError, normalizeTree, realPath,
  type Resource, rewriteTree, type Store, syncFileSystem, toBase32,
} from '../../namespace/index.js';

export interface BuiltOutput {
  readonly output: string;
  /** The object name it gets. */
  readonly name: string;
  /** Its placeholder hash part (the path it was built at is `<storeDir>/<placeholder>-<name>`). */
  readonly placeholder: string;
  /** Where it is on the host now. */
  readonly hostPath: string;
}

export interface StoreOutputsRequest {
  readonly store: Store;
  readonly outputs: readonly BuiltOutput[];
  /** Object paths (entries of the store directory) the output may refer to. */
  readonly candidates: readonly string[];
  /** A scratch directory of the build's work dir. */
  readonly scratch: string;
  /** Built without a sandbox: the output was not at its final-length path, so it must not refer to itself. */
  readonly unsandboxed: boolean;
}

function outputError(o: BuiltOutput, what: string, hint?: string): NomiaError {
  return new NomiaError('build/output', `the output \`${o.output}\` ${what}`, hint === undefined ? {} : { hint });
}

/**
 * Whether the link at `from` (a path in the sandbox) with `target` ends
 * outside the store, resolved as the kernel would: component by component,
 * following links inside this output (so a chain `a → ..`, `b → a/..` is
 * seen for what it is), and stopping at any other store object, which is
 * immutable. Standing on the store directory itself, or above it on the way
 * anywhere but down into it, is leaving.
 */
function leavesStore(o: BuiltOutput, storeDir: string, from: string, target: string): boolean {
  const storeParts = storeDir.split('/').filter(Boolean);
  const rootParts = posix.join(storeDir, `${o.placeholder}-${o.name}`).split('/').filter(Boolean);
  const startsWith = (parts: readonly string[], prefix: readonly string[]) => parts.length >= prefix.length && prefix.every((c, i) => parts[i] === c);
  let base = target.startsWith('/') ? [] : posix.dirname(from).split('/').filter(Boolean);
  let todo = target.split('/').filter(Boolean);
  let hops = 0;
  while (todo.length) {
    const c = todo.shift()!;
    if (c === '.') continue;
    if (c === '..') base.pop();
    else base.push(c);
    if (startsWith(storeParts, base)) continue; // on the way down to the store (or back up: judged at the end)
    if (!startsWith(base, storeParts)) return true;
    if (!startsWith(base, rootParts)) return false; // inside another object
    const host = join(o.hostPath, ...base.slice(rootParts.length));
    let st;
    try {
      st = lstatSync(host);
    } catch {
      return false; // dangling inside the output: harmless
    }
    if (st.isSymbolicLink()) {
      if (++hops > 40) return true;
      const next = readlinkSync(host);
      base = next.startsWith('/') ? [] : base.slice(0, -1);
      todo = [...next.split('/').filter(Boolean), ...todo];
    }
  }
  return !(startsWith(base, storeParts) && base.length > storeParts.length);
}

/**
 * Refuse what cannot be stored (symlinks leaving the store, sockets…) and
 * break hard links, so the stored tree shares no inode with anything else.
 */
function check(o: BuiltOutput, storeDir: string): void {
  const finalRoot = posix.join(storeDir, `${o.placeholder}-${o.name}`);
  const walk = (host: string, inSandbox: string) => {
    const st = lstatSync(host);
    if (st.isSymbolicLink()) {
      const target = readlinkSync(host);
      if (leavesStore(o, storeDir, inSandbox, target)) {
        throw outputError(o, `has a symlink ${inSandbox.slice(finalRoot.length) || '(the output itself)'} → ${target} pointing outside the store`, 'an output may only link into the store (its inputs, itself); copy the file instead');
      }
    } else if (st.isDirectory()) {
      for (const e of entries(host)) walk(join(host, e.name.toString('utf8')), posix.join(inSandbox, e.name.toString('utf8')));
    } else if (st.isFile()) {
      if (st.nlink > 1) {
        const copy = `${host}.nomia-unlink`;
        copyFileSync(host, copy);
        renameSync(copy, host);
      }
    } else {
      throw outputError(o, `contains ${inSandbox.slice(finalRoot.length)}, which is neither a file, a directory nor a symlink`, 'remove sockets, FIFOs and devices from the output');
    }
  };
  try {
    lstatSync(o.hostPath);
  } catch {
    throw outputError(o, 'was not created by the build', `write it to $${o.output}`);
  }
  walk(o.hostPath, finalRoot);
}

/** Which sibling outputs (by placeholder) each output mentions. */
async function siblingRefs(outputs: readonly BuiltOutput[]): Promise<Map<string, Set<string>>> {
  const refs = new Map<string, Set<string>>();
  // One output (the usual build) has no siblings: no pass over it is needed.
  if (outputs.length === 1) return new Map([[outputs[0]!.output, new Set()]]);
  for (const o of outputs) {
    const scan = new HashPartScanner(outputs.filter((x) => x !== o).map((x) => x.placeholder));
    await dumpPath(o.hostPath, (c) => scan.push(c));
    refs.set(o.output, scan.found());
  }
  return refs;
}

export async function storeOutputs(req: StoreOutputsRequest): Promise<Record<string, Resource>> {
  const { store, outputs } = req;
  const storeDir = store.layout.storeDir;
  for (const o of outputs) check(o, storeDir);
  const mentions = await siblingRefs(outputs);
  // Objects with the same content and different names share a hash part: a match refers to all of them.
  const byPart = new Map<string, string[]>();
  for (const p of req.candidates) byPart.set(hashPart(p), [...(byPart.get(hashPart(p)) ?? []), p]);
  const done = new Map<string, { part: string; path: string }>(); // placeholder → final
  const result: Record<string, Resource> = {};
  let pending = [...outputs];
  while (pending.length) {
    const ready = pending.filter((o) => [...mentions.get(o.output)!].every((ph) => done.has(ph)));
    if (ready.length === 0) {
      throw new NomiaError('build/output', `the outputs ${pending.map((o) => `\`${o.output}\``).join(', ')} refer to each other in a cycle`, { hint: 'an output may refer to outputs stored before it; break the cycle' });
    }
    for (const o of ready) {
      let tree = o.hostPath;
      const siblings = [...mentions.get(o.output)!];
      if (siblings.length) {
        if (req.unsandboxed) throw outputError(o, 'refers to another output of the build; without a sandbox its path cannot be rewritten', 'build in the sandbox');
        const next = join(req.scratch, `${o.output}-siblings`);
        await rewriteTree(tree, next, new Map(siblings.map((ph) => [ph, done.get(ph)!.part])), join(req.scratch, `${o.output}-siblings.nar`));
        tree = next;
      }
      const modulo = await hashModulo(tree, o.placeholder, byPart.keys());
      const part = toBase32(modulo.hash);
      if (modulo.selfReferences.length) {
        if (req.unsandboxed) throw outputError(o, 'refers to its own path; without a sandbox it was not built at a path of the final length, so it cannot be rewritten', 'build in the sandbox');
        const next = join(req.scratch, `${o.output}-final`);
        await rewriteTree(tree, next, new Map([[o.placeholder, part]]), join(req.scratch, `${o.output}-final.nar`));
        tree = next;
      }
      normalizeTree(tree);
      if (store.fsync) syncFileSystem(dirname(tree));
      const references = [...modulo.references].flatMap((p) => byPart.get(p) ?? []);
      for (const ph of siblings) references.push(done.get(ph)!.path);
      const { object } = commitObject(store, { tree, hash: modulo.hash, narSize: modulo.narSize, name: o.name, references });
      done.set(o.placeholder, { part, path: object.path });
      const path = realPath(store, object);
      result[o.output] = { kind: 'object', type: fsType(path), name: byContentName(object), path };
    }
    pending = pending.filter((o) => !ready.includes(o));
  }
  return result;
}
