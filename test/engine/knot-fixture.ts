/**
 * A namespace that ties knots, for the tests: `knot:node?id=…(next: …[, seed: …])`
 * is a value naming a chain of nodes. Outside a cycle `next` is a realized
 * value and the node is `id→next`; in a cycle the namespace walks the
 * members from each one until it meets one again, so two nodes that refer
 * to each other are `a→b→a` and `b→a→b`: neither can be made before the
 * other, only the whole cycle at once. A `seed` input shows as `id[seed]`.
 * With `--serve` it serves itself over the protocol on stdin/stdout.
 */
import { NomiaError } from '../../src/errors.js';
import { printValue } from '../../src/name/print.js';
import { serveNamespace } from '../../src/namespace/protocol/server.js';
import type { AtomRequest, KnotMember, Namespace, Resource, Signature } from '../../src/namespace/types.js';

const value = (v: string): Resource => ({ kind: 'value', type: 'value', value: v, name: `context:value?v=${printValue({ kind: 'String', value: v })}` });

function id(req: AtomRequest): string {
  const p = req.params.find((x) => x.key === 'id');
  if (p?.value.kind !== 'String') throw new NomiaError('usage', 'knot:node needs the parameter `id`', { hint: 'e.g. knot:node?id=a(next: …)' });
  return p.value.value;
}

const show = (req: AtomRequest, inputs: Readonly<Record<string, Resource>>): string => {
  const seed = inputs['seed'];
  return seed?.kind === 'value' ? `${id(req)}[${seed.value}]` : id(req);
};

/** `ids` counts calls of realizeKnot, for the tests that check a cycle is looked up, not tied again. */
export function knotNamespace(nsId = 'knot', calls = { knots: 0 }): Namespace {
  return {
    id: nsId,
    spelling: `test:${nsId}@1`,
    describe(req): Signature {
      if (req.nameId !== 'node') throw new NomiaError('usage', `${nsId}:${req.nameId} is not a name of this namespace`, { hint: `${nsId} has node` });
      return { inputs: 'any', outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false, tiesKnots: true };
    },
    async realize(req, inputs) {
      const next = inputs['next'];
      return { out: value(`${show(req, inputs)}→${next?.kind === 'value' ? next.value : '∅'}`) };
    },
    async realizeKnot(members: readonly KnotMember[], ctx) {
      calls.knots++;
      ctx.events.emit({ kind: 'log', line: `tying a knot of ${members.length}` });
      return members.map((_, start) => {
        const seen = new Set<number>();
        const parts: string[] = [];
        let at: number | undefined = start;
        while (at !== undefined && !seen.has(at)) {
          seen.add(at);
          const m: KnotMember = members[at]!;
          parts.push(show(m.request, m.inputs));
          const inside = m.knots['next'];
          if (inside) {
            at = inside.member;
          } else {
            const next = m.inputs['next'];
            parts.push(next?.kind === 'value' ? next.value : '∅');
            at = undefined;
          }
        }
        if (at !== undefined) parts.push(show(members[at]!.request, members[at]!.inputs));
        return { out: value(parts.join('→')) };
      });
    },
  };
}

if (process.argv[2] === '--serve') {
  await serveNamespace(knotNamespace(process.argv[3] ?? 'knot'), { input: process.stdin, output: process.stdout });
}
