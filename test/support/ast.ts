/** AST comparison that ignores spans: two ASTs are the same name when their JSON forms are equal. */
import assert from 'node:assert/strict';
import type { Expression } from '../../src/name/ast.js';
import { toJson } from '../../src/name/json.js';

export function assertSameAst(actual: Expression, expected: Expression, message?: string): void {
  assert.deepEqual(toJson(actual), toJson(expected), message);
}
