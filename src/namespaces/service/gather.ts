/**
 * Starts gathered for one question to the supervisor: while `nomia up`
 * realizes a name whose every part is a service or an object named by its
 * content (so nothing but a service, or `up` itself, takes a service's
 * result), realizing a `service:process` only works out its spec and gives
 * its resource (its id and endpoint are known before it runs); `up` then
 * asks the supervisor to start them all at once (`start-all`), which starts
 * each the moment what it needs is ready. A chain of N services is then one
 * question, not N questions each waiting for the engine's next node
 * (docs/namespaces/service.md, "Starting a chain"). Outside such an `up`
 * nothing is gathered: a realize gets a service only once it is ready.
 */
import type { ServiceSpec } from './spec.js';

/** The specs gathered per store home, while a gathering is open there. */
const open = new Map<string, ServiceSpec[]>();

/** Gather the starts of services of the store at `home` until `close`, which returns them in the order realized. */
export function gatherStarts(home: string): { close(): readonly ServiceSpec[] } {
  const specs: ServiceSpec[] = [];
  open.set(home, specs);
  return {
    close() {
      if (open.get(home) === specs) open.delete(home);
      return specs;
    },
  };
}

/** Add `spec` to the open gathering of `home`: false when none is open (then start it and wait, as always). */
export function gathered(home: string, spec: ServiceSpec): boolean {
  const specs = open.get(home);
  if (!specs) return false;
  specs.push(spec);
  return true;
}

/** The log line of a gathered service (its node's), and the id `gatheredId` reads back from it. */
export const gatheredLine = (label: string, id: string) => `service ${label}: to start once the name is realized (id ${id})`;

export function gatheredId(line: string): string | undefined {
  return /^service .*: to start once the name is realized \(id ([0-9a-f]{32})\)$/.exec(line)?.[1];
}
