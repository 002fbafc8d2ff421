/**
 * `nomia ninja -d stats`: ninja's table of operation counts and times
 * (`metric  count  avg (us)  total (ms)`, its `Metrics::Report` layout), of
 * what a build of names does: per kind of node (`cc:compile`,
 * `filesystem:import`…), how many ran and how long they took from start to
 * ready (wall time, the sandbox included), and how many were reused from a
 * recorded result. Read from the engine's events, so it costs the build
 * nothing.
 */
import type { EngineEvent } from '../engine/events.js';

/** The kind of a node, from its label: the namespace and name id (`cc:compile?args=…` → `cc:compile`). */
const kindOf = (label: string) => /^[^?(\s]*/.exec(label)![0];

/** A listener that tallies nodes before passing each event on, and the report of what it saw. */
export function statsCounter(next: (event: EngineEvent) => void): { readonly listener: (event: EngineEvent) => void; report(): string } {
  const metrics = new Map<string, { count: number; ms: number }>();
  const add = (name: string, ms: number) => {
    const m = metrics.get(name) ?? { count: 0, ms: 0 };
    m.count++;
    m.ms += ms;
    metrics.set(name, m);
  };
  return {
    listener: (event) => {
      if (event.kind === 'ready') add(`${kindOf(event.label)} ran`, event.ms);
      else if (event.kind === 'cache-hit') add(`${kindOf(event.label)} reused`, 0);
      next(event);
    },
    report: () => {
      const rows = [...metrics].sort(([a], [b]) => a.localeCompare(b));
      const width = Math.max('metric'.length, ...rows.map(([name]) => name.length));
      // ninja: printf("%-*s\t%-6s\t%-9s\t%s\n") for the header, "%-*s\t%-6d\t%-8.1f\t%.1f\n" per metric.
      const lines = [`${'metric'.padEnd(width)}\t${'count'.padEnd(6)}\t${'avg (us)'.padEnd(9)}\ttotal (ms)\n`];
      for (const [name, { count, ms }] of rows) lines.push(`${name.padEnd(width)}\t${String(count).padEnd(6)}\t${((ms * 1000) / count).toFixed(1).padEnd(8)}\t${ms.toFixed(1)}\n`);
      return lines.join('');
    },
  };
}
