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

/** `--log-format`: json, plain or auto. */
export function parseLogFormat(v: string): LogFormat {
  if (v !== 'json' && v !== 'plain' && v !== 'auto') throw new NomiaError('usage', `--log-format ${v}: use json, plain or auto`);
  return v;
}
