/** Shared set-up of the package tests: a store with the bootstrap tools, scripts added, builds realized through the CLI. */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

export interface Bench {
  readonly dir: string;
  readonly store: string;
  /** The by-content name of the bootstrap tools. */
  readonly tools: string;
}

/** The sandbox's tools; false (test skipped) when they are missing outside CI. */
export function sandboxTools(t: TestContext): boolean {
  return requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'bash-static', 'bash-static') && requireTool(t, 'busybox', 'busybox-static');
}

export function bench(prefix: string): Bench {
  const dir = tempDir(prefix);
  const store = join(dir, 'store');
  const r = nomia(store, ['bootstrap-tools', '--root', 'bootstrap-tools'], { env: { NOMIA_FSYNC: '0' } });
  if (r.code !== 0) throw new Error(`bootstrap-tools failed: ${r.err}`);
  return { dir, store, tools: r.out.trim() };
}

let scripts = 0;
/** Add an executable script; returns its by-content name. */
export function script(b: Bench, text: string): string {
  const path = join(b.dir, `script-${scripts++}.sh`);
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  const r = nomia(b.store, ['add', '--name', 'script', path], { env: { NOMIA_FSYNC: '0' } });
  if (r.code !== 0) throw new Error(`add failed: ${r.err}`);
  return r.out.trim();
}

/** The seed's build: bash from the bootstrap tools runs the script. `params` are appended (`&name=x`), `inputs` too (`, a: …`). */
export function build(b: Bench, scriptName: string, params = '', inputs = ''): string {
  return `package:build-in-sandbox?args=[bash, -c, $script]${params}(exe: ${b.tools}/bin/bash, script: ${scriptName}${inputs})`;
}

export interface Realized {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
  readonly events: EngineEvent[];
  /** The first result's path (second line of the output). */
  readonly path: string;
  readonly name: string;
}

export function realize(b: Bench, name: string, args: string[] = [], env: Record<string, string> = {}): Realized {
  // A realize that hangs (a deadlock) fails the test instead of holding the suite.
  const r = nomia(b.store, ['realize', '--log-format', 'json', ...args, name], { cwd: b.dir, env: { NOMIA_FSYNC: '0', ...env }, timeout: 60_000 });
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  const [first, second] = r.out.trim().split('\n');
  return { ...r, events, name: first ?? '', path: second ?? '' };
}

export const kinds = (events: readonly EngineEvent[], kind: EngineEvent['kind']) => events.filter((e) => e.kind === kind);
