/** For tests that configure a small CMake project and build it through `nomia ninja` with an exact toolchain. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { nomia } from './cli.js';
import { hasTool, requireTool } from './tools.js';

/** The host tools such a test needs, with the Debian package that gives each. */
const TOOLS = [['apt-get', 'apt'], ['bwrap', 'bubblewrap'], ['cmake', 'cmake']] as const;

/** Whether every tool is here (for a `before` hook, which cannot skip). */
export function hasCmakeTools(): boolean {
  return TOOLS.every(([tool]) => hasTool(tool));
}

/** Skip `t` (or fail it under CI) unless every tool is here and the toolchain was realized. */
export function cmakeReady(t: TestContext, toolchain: string): boolean {
  return TOOLS.every(([tool, install]) => requireTool(t, tool, install)) && toolchain !== '';
}

/** Realize the exact toolchain cmake, gcc and libc6-dev into `store` (run in `cwd`); its name. */
export function realizeCmakeToolchain(store: string, cwd: string): string {
  const tc = nomia(store, ['realize', 'deb:closure?packages=[cmake, gcc, libc6-dev]'], { cwd });
  assert.equal(tc.code, 0, tc.err);
  return tc.out.split('\n')[0]!;
}
