/**
 * A node's outputs as the engine passes them on: found again from recorded
 * reductions, picked (and projected) for the node they feed, and spelled
 * one by one for recording.
 */
import { existsSync } from 'node:fs';
import { NomiaError } from '../errors.js';
import { sourceSpelling, type Spelling } from '../graph/spell.js';
import type { Source } from '../graph/types.js';
import { printSegment } from '../name/print.js';
import type { Registry } from '../namespace/registry.js';
import { fsType } from '../resource/names.js';
import type { Resource } from '../resource/types.js';
import type { Store } from '../store/store.js';
import type { NodeRef } from './events.js';
import { lookup, materialize } from './reductions.js';
import type { ResolvedNode } from './resolve.js';

/** A node's outputs, by output name. */
export type Outputs = Readonly<Record<string, Resource>>;

/** Which node an event is about. */
export function ref(n: ResolvedNode): NodeRef {
  // A `label` parameter is what people call the node (the live view shows it).
  const title = n.request.params.find((p) => p.key === 'label')?.value;
  return { node: n.id, label: n.label, ...(n.at ? { at: n.at } : {}), ...(title?.kind === 'String' ? { title: title.value } : {}) };
}

/** The spelling of one output of `n` spelled `s`: `s` itself for the default output. */
export function outputSpelling(n: ResolvedNode, s: Spelling, output: string): Spelling {
  return output === n.signature.defaultOutput ? s : sourceSpelling(s, output);
}

/** Every declared output of `n` from recorded reductions under its spelling `s`, each present, or undefined. */
export function fromReductions(store: Store, registry: Registry, n: ResolvedNode, s: Spelling): Outputs | undefined {
  const outs: Record<string, Resource> = {};
  for (const output of Object.keys(n.signature.outputs)) {
    const row = lookup(store, outputSpelling(n, s, output), n.namespace.spelling, registry);
    const found = row && materialize(store, row.to, registry);
    if (!found) return undefined;
    outs[output] = found.resource;
  }
  return outs;
}

/** A resource seen through a projection `/a/b`. */
function project(r: Resource, projection: readonly string[] | undefined, what: string): Resource {
  if (!projection?.length) return r;
  if (r.kind !== 'object') throw new NomiaError('usage', `cannot take the path /${projection.join('/')} of ${what}: it is a value, not a file or directory`);
  const path = [r.path, ...projection].join('/');
  if (!existsSync(path)) throw new NomiaError('usage', `${what} has no path /${projection.join('/')}`, { hint: `list it with \`nomia ls ${r.name}\`` });
  return { kind: 'object', type: fsType(path), name: r.name + projection.map((s) => `/${printSegment(s)}`).join(''), path };
}

/** The resource a source names, out of the outputs of its node `from`. */
export function pick(from: ResolvedNode, source: Source, outs: Outputs): Resource {
  const output = source.output ?? from.signature.defaultOutput;
  const r = outs[output];
  if (!r) throw new NomiaError('namespace/contract', `\`${from.label}\` produced no output \`${output}\``);
  return project(r, source.projection, `\`${from.label}\``);
}
