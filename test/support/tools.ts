/**
 * Real tools the tests use as oracles. Outside CI a missing tool skips the
 * test that needs it, with the reason; under CI=true it fails the test,
 * because `.ci/run` must have installed it.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Returns false (after skipping `t`) when `tool` is missing outside CI; throws under CI. */
export function requireTool(t: TestContext, tool: string, install: string): boolean {
  if (hasTool(tool)) return true;
  if (process.env['CI'] === 'true') throw new Error(`${tool} is missing under CI=true: .ci/run must install ${install}`);
  t.skip(`${tool} not installed (apt-get install ${install})`);
  return false;
}
