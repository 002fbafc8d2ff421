/**
 * `NOMIA_SERVICE_TRACE=FILE`: a line per step of starting a service,
 * appended to FILE by every process on the path (the CLI, the namespace in
 * it, the supervisor): Unix time in ms (to 0.01 ms), pid, step. The
 * profile in docs/namespaces/service.md ("Where the time goes") is read
 * from it; without the variable nothing is written and a step costs one
 * comparison. The first line of a CLI gives its process's start time
 * (`origin`), which no step of its own can.
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** The trace file, read when asked: a spare CLI process (cli/spare-main.ts) loads this module before it takes the caller's environment. */
const traceFile = () => process.env['NOMIA_SERVICE_TRACE'];

/** Append the step `what` to the trace, if one is asked for. */
export function trace(what: string): void {
  const file = traceFile();
  if (file) appendFileSync(file, `${(performance.timeOrigin + performance.now()).toFixed(2)} ${process.pid} ${what}\n`);
}

/** Trace this process's start time (`origin`), then `what`. */
export function traceOrigin(what: string): void {
  const file = traceFile();
  if (!file) return;
  appendFileSync(file, `${performance.timeOrigin.toFixed(2)} ${process.pid} origin\n`);
  trace(what);
}
