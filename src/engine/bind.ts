/**
 * Binding resolved-name variables (`@x`, DESIGN.md §7): each `@x` is
 * replaced by the name supplied for it, as a nested name `( … )`, before
 * the name is flattened. The bound name is the name written out in full:
 * it spells, and reuses results, exactly as that does. (`nomia spell
 * --resolved x=<spelling>` instead spells `@x` as an opaque reference to a
 * spelling, docs/spec/spelling.md; the two spellings differ by design.)
 */
import { NomiaGraphError } from '../errors.js';
import type { Arg, Declaration, Name, NameRef, OutputRef, Substitution } from '../name/ast.js';

export function bindResolved(name: Name, bindings: Readonly<Record<string, Name>>, source?: string): Name {
  const ref = (r: NameRef): NameRef => {
    switch (r.kind) {
      case 'Resolved': {
        const bound = bindings[r.id.name];
        if (!bound) {
          throw new NomiaGraphError('graph/unbound-resolved', `\`@${r.id.name}\` is not bound`, {
            ...(r.span ? { span: r.span } : {}), ...(source === undefined ? {} : { source }),
            hint: `supply it: nomia realize NAME --bind ${r.id.name}=OTHER_NAME`,
          });
        }
        return { kind: 'Nested', name: bound, ...(r.span ? { span: r.span } : {}) };
      }
      case 'Nested':
        return { ...r, name: whole(r.name) };
      case 'AtomicName':
        return r.namespace?.kind === 'NamedNamespace' ? { ...r, namespace: { ...r.namespace, ref: output(r.namespace.ref) } } : r;
      default:
        return r;
    }
  };
  const subst = (s: Substitution): Substitution => ({ ...s, ref: ref(s.ref), ...(s.args ? { args: s.args.map((a: Arg) => ({ ...a, value: output(a.value) })) } : {}) });
  const output = (o: OutputRef): OutputRef => ({ ...o, name: subst(o.name) });
  const decl = (d: Declaration): Declaration => ({ ...d, value: subst(d.value) });
  const whole = (n: Name): Name => {
    switch (n.kind) {
      case 'Tree': return { ...n, body: output(n.body) };
      case 'LetIn': return { ...n, declarations: n.declarations.map(decl), body: output(n.body) };
      case 'Compose': return { ...n, declarations: n.declarations.map(decl) };
    }
  };
  return whole(name);
}
