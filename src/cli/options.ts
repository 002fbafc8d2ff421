/** Parsers of the options several commands share, so each says the same thing about a bad value. */
import { NomiaError } from '../errors.js';
import type { LogFormat } from './render-events.js';

/** `-j`/`--jobs` (named `flag` in the error): a positive whole number. */
export function parseJobs(flag: string): (v: string) => number {
  return (v) => {
    if (!/^[1-9]\d*$/.test(v)) throw new NomiaError('usage', `${flag} ${v}: give a positive number`);
    return Number(v);
  };
}

/**
 * `--toolchain NAME`: a name, never empty. `--toolchain "$TC"` with `TC` empty (its realize failed, or printed
 * nothing) would otherwise build with the default toolchain, and say nothing.
 */
export function parseToolchain(v: string): string {
  if (v.trim() === '') throw new NomiaError('usage', '--toolchain was given an empty name', { hint: "give the toolchain's name, e.g. --toolchain 'deb:closure?packages=[gcc, libc6-dev]', or leave --toolchain out for the default (the host's tools, made exact)" });
  return v;
}

/** `--log-format`: json, plain or auto. */
export function parseLogFormat(v: string): LogFormat {
  if (v !== 'json' && v !== 'plain' && v !== 'auto') throw new NomiaError('usage', `--log-format ${v}: use json, plain or auto`);
  return v;
}
