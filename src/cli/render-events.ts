/**
 * Event listeners for the CLI (the library only emits): JSON lines, plain
 * lines, or, on a terminal, a live view of what runs, what is done and what
 * was reused, with finished steps printed above it.
 */
import type { EngineEvent, EventListener } from '../engine/events.js';
import { formatBytes } from './progress.js';

type Progress = Pick<Extract<EngineEvent, { kind: 'progress' }>, 'done' | 'total' | 'unit'>;

/** `45% (4.5 MiB of 10.0 MiB)`, `12 of 40 files`, or `3.1 MiB` while the total is unknown. */
export function progressText(p: Progress): string {
  const amount = (n: number) => (p.unit === 'bytes' ? formatBytes(n) : String(n));
  const unit = p.unit && p.unit !== 'bytes' ? ` ${p.unit}` : '';
  if (p.total === undefined) return `${amount(p.done)}${unit}`;
  const percent = p.total > 0 ? `${Math.min(100, Math.floor((100 * p.done) / p.total))}% ` : '';
  return `${percent}(${amount(p.done)} of ${amount(p.total)}${unit})`;
}

export type LogFormat = 'json' | 'plain' | 'auto';

/**
 * A label cut to 30 characters for a log line's prefix, never leaving a bracket open: tools that read a build's
 * output line by line may treat brackets as grouping (CMake's lists do: its compiler checks, which parse the
 * output of the make program `nomia ninja` is, read every line after an open `[` as one), so a cut label ends
 * before its first bracket still open, with `…`.
 */
export function shortLabel(label: string): string {
  if (label.length <= 30) return label;
  const cut = label.slice(0, 30);
  const open: number[] = [];
  for (let i = 0; i < cut.length; i++) {
    const c = cut[i];
    if (c === '[' || c === '(' || c === '{') open.push(i);
    else if ((c === ']' || c === ')' || c === '}') && open.length) open.pop();
  }
  return `${open.length ? cut.slice(0, open[0]) : cut}…`;
}

function plainLine(e: EngineEvent): string | undefined {
  switch (e.kind) {
    case 'resolving': return undefined;
    case 'cache-hit': return `reused    ${e.label}${e.early ? ' (inputs unchanged)' : ''}`;
    case 'substituted': return `fetched   ${e.label} from ${e.cache} (signed by ${e.signer}; ${e.objects} object${e.objects === 1 ? '' : 's'}, ${formatBytes(e.bytes)})`;
    case 'cache-skipped': return `warning   ${e.message}${e.hint === undefined ? '' : `\n          hint: ${e.hint}`}`;
    // The `fetched` line says it when done.
    case 'fetching': return undefined;
    case 'realizing': return `realizing ${e.label}`;
    case 'waiting': return `waiting   ${e.label} (another process is realizing it)`;
    case 'would-run': return `would run ${e.label}`;
    case 'log': return `  ${shortLabel(e.label)}> ${e.line}`;
    // Progress is for the live view; as lines it would only be noise.
    case 'progress': return undefined;
    case 'ready': return `ready     ${e.label} (${e.ms} ms)`;
    case 'failed': return `FAILED    ${e.label}`;
    case 'warning': return `warning   ${e.message}`;
    case 'reduced': return undefined;
    case 'done': return `done: ${e.memo ? 'unchanged, answered from the memo' : e.wouldRun !== undefined ? `${e.wouldRun} would run (dry run), ${e.reused} reused` : `${e.ran} realized, ${e.reused} reused`}${e.daemon ? ' (by the daemon)' : ''}, ${e.ms} ms`;
  }
}

/** A writable terminal: what the live view needs of process.stderr. */
export interface Terminal {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(s: string): unknown;
}

/**
 * The live view on a terminal: finished steps scroll above; below them a
 * block redrawn in place lists what is running (with elapsed time) and the
 * counts of what is done, reused and failed.
 */
class LiveView {
  private readonly running = new Map<number, { label: string; since: number; progress?: Progress }>();
  private done = 0;
  private reused = 0;
  private failed = 0;
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: Terminal, private readonly now: () => number = Date.now) {}

  private clear(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}F\x1b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    const width = Math.max(20, (this.out.columns ?? 100) - 1);
    const lines: string[] = [];
    const running = [...this.running.values()];
    for (const r of running.slice(0, 8)) {
      lines.push(`  ▸ ${((this.now() - r.since) / 1000).toFixed(1).padStart(5)}s ${r.progress ? `${progressText(r.progress)} ` : ''}${r.label}`);
    }
    if (running.length > 8) lines.push(`  … and ${running.length - 8} more`);
    lines.push(`  ${this.done} done · ${this.reused} reused · ${running.length} running${this.failed ? ` · ${this.failed} failed` : ''}`);
    this.out.write(`${lines.map((l) => l.slice(0, width)).join('\n')}\n`);
    this.drawn = lines.length;
  }

  /** Print a permanent line above the live block. */
  private above(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
  }

  on(e: EngineEvent): void {
    switch (e.kind) {
      case 'realizing':
        this.running.set(e.node, { label: e.title ?? e.label, since: this.now() });
        this.timer ??= setInterval(() => { this.clear(); this.draw(); }, 250).unref();
        break;
      case 'ready':
        this.running.delete(e.node);
        this.done++;
        this.above(plainLine(e)!);
        break;
      case 'failed':
        this.running.delete(e.node);
        this.failed++;
        this.above(plainLine(e)!);
        break;
      case 'cache-hit':
        this.reused++;
        break;
      case 'progress': {
        const r = this.running.get(e.node);
        if (!r) return;
        r.progress = { done: e.done, ...(e.total === undefined ? {} : { total: e.total }), ...(e.unit === undefined ? {} : { unit: e.unit }) };
        // The timer redraws soon enough; a redraw per event would flicker.
        return;
      }
      case 'fetching':
        this.running.set(e.node, { label: `fetching ${e.title ?? e.label}`, since: this.now() });
        this.timer ??= setInterval(() => { this.clear(); this.draw(); }, 250).unref();
        break;
      case 'substituted':
        this.running.delete(e.node);
        this.reused++;
        this.above(plainLine(e)!);
        break;
      case 'cache-skipped':
        this.running.delete(e.node);
        this.above(plainLine(e)!);
        break;
      case 'log':
      case 'warning':
        this.above(plainLine(e)!);
        break;
      case 'done':
        this.finish();
        this.out.write(`${plainLine(e)}\n`);
        return;
      default:
        break;
    }
    this.clear();
    this.draw();
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }
}

export function eventRenderer(format: LogFormat, out: Terminal = process.stderr): { listener: EventListener; finish(): void } {
  if (format === 'json') return { listener: (e) => out.write(`${JSON.stringify(e)}\n`), finish: () => undefined };
  if (format === 'plain' || !out.isTTY) {
    return { listener: (e) => { const l = plainLine(e); if (l) out.write(`${l}\n`); }, finish: () => undefined };
  }
  const view = new LiveView(out);
  return { listener: (e) => view.on(e), finish: () => view.finish() };
}
