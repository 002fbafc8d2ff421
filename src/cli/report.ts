/**
 * How the CLI shows errors: a `NomiaError` as `error[code]: message`, its
 * trace (`while realizing …`), the caret excerpt, and the hint; anything else as an internal error without a
 * stack trace (set NOMIA_DEBUG=1 to see it).
 */
import { NomiaError } from '../errors.js';

/** @param hint replaces the error's own hint (see hints.ts). */
export function formatError(e: unknown, inputLabel = '<name>', hint?: string): string {
  if (e instanceof NomiaError) {
    const lines = [`error[${e.code}]: ${e.message}`, ...e.trace.map((frame) => `  while ${frame}`)];
    if (e.location) lines.push(`  --> ${inputLabel}:${e.location}`);
    const excerpt = e.excerpt;
    if (excerpt) lines.push(...excerpt.split('\n').map((l) => `  ${l}`));
    if (hint ?? e.hint) lines.push(`  hint: ${hint ?? e.hint}`);
    return lines.join('\n');
  }
  const message = e instanceof Error ? e.message : String(e);
  const stack = process.env['NOMIA_DEBUG'] && e instanceof Error && e.stack ? `\n${e.stack}` : '';
  return `internal error: ${message}${stack}\n  this is a bug in nomia; rerun with NOMIA_DEBUG=1 and report the output`;
}
