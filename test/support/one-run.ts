/**
 * Counting compiles in `--log-format json` events now that most run once
 * (docs/namespaces/cc.md, "One run per compile"): a `cc:compile` that
 * compiled with the whole include trees records its exact name's result
 * without a node of its own for it, so tests that count which
 * `cc:compile-exact` names ran count these too.
 */

interface Event {
  readonly kind: string;
  readonly node?: number;
  readonly line?: string;
  readonly to?: string;
}

/** The exact names compiled in one run by their `cc:compile` nodes, from the JSON lines in `text`. */
export function oneRunCompiles(text: string): string[] {
  const events = text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
  const nodes = new Set(events.filter((e) => e.kind === 'log' && e.line?.startsWith('compiled in one run')).map((e) => e.node));
  // One per node: a node recorded under several spellings (static and refined) reports a `reduced` event for each.
  const exact = new Map<number | undefined, string>();
  for (const e of events) if (e.kind === 'reduced' && nodes.has(e.node) && e.to?.startsWith('cc:compile-exact?')) exact.set(e.node, e.to);
  return [...exact.values()];
}
