/**
 * Event listeners for the CLI (the library only emits): JSON lines, plain
 * lines, or, on a terminal, a live status line of what runs, what is done
 * and what was reused, with finished steps printed above it.
 */
import type { EngineEvent, EventListener } from '../engine/events.js';

export type LogFormat = 'json' | 'plain' | 'auto';

function plainLine(e: EngineEvent): string | undefined {
  switch (e.kind) {
    case 'resolving': return undefined;
    case 'cache-hit': return `reused    ${e.label}${e.early ? ' (inputs unchanged)' : ''}`;
    case 'realizing': return `realizing ${e.label}`;
    case 'waiting': return `waiting   ${e.label} (another process is realizing it)`;
    case 'log': return `  ${e.label.slice(0, 30)}> ${e.line}`;
    case 'ready': return `ready     ${e.label} (${e.ms} ms)`;
    case 'failed': return `FAILED    ${e.label}`;
    case 'reduced': return undefined;
    case 'done': return `done: ${e.ran} realized, ${e.reused} reused, ${e.ms} ms`;
  }
}

export function eventRenderer(format: LogFormat): { listener: EventListener; finish(): void } {
  const out = process.stderr;
  if (format === 'json') return { listener: (e) => out.write(`${JSON.stringify(e)}\n`), finish: () => undefined };
  if (format === 'plain' || !out.isTTY) {
    return { listener: (e) => { const l = plainLine(e); if (l) out.write(`${l}\n`); }, finish: () => undefined };
  }
  const running = new Map<number, string>();
  let done = 0;
  let reused = 0;
  const status = () => {
    const now = [...running.values()].slice(0, 3).join(', ');
    out.write(`\r\x1b[2K[${done} done, ${reused} reused, ${running.size} running] ${now}`.slice(0, (out.columns ?? 100) - 1));
  };
  return {
    listener: (e) => {
      if (e.kind === 'realizing') running.set(e.node, e.label);
      if (e.kind === 'ready' || e.kind === 'failed') {
        running.delete(e.node);
        done++;
        out.write(`\r\x1b[2K${plainLine(e)}\n`);
      }
      if (e.kind === 'cache-hit') reused++;
      if (e.kind === 'done') out.write(`\r\x1b[2K${plainLine(e)}\n`);
      else status();
    },
    finish: () => out.write('\r\x1b[2K'),
  };
}
