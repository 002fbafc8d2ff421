/**
 * Type tests for the public API: checked by `tsc` as part of `npm test` (a
 * broken expectation fails the build). The body is a function that is never
 * called, because `node --test` loads every file under test/.
 */
import type { Expression, Graph, Name, NomiaError, Spelling, Spellings } from '../src/index.js';
import { flatten, parseExpression, parseName, parseSpelling, print, spell, tryParseName } from '../src/index.js';

export function typeTests(text: string): void {
const name: Name = parseName(text);
const expr: Expression = parseExpression(text);
const canonical: string = print(expr);
const graph: Graph = flatten(name, text);
const spellings: Spellings = spell(graph);
const spelling: Spelling = spellings.name;
const asText: string = spelling;

// A spelling is branded: plain strings are not spellings.
// @ts-expect-error a string is not a Spelling
const notSpelling: Spelling = text;
const checked: Spelling | undefined = parseSpelling(text);

// A failed parse is a value with the error, not an exception.
const result = tryParseName(text);
if (!result.ok) {
  const e: NomiaError = result.error;
  const where: number = result.error.line + result.error.column;
  void e, where;
} else {
  const n: Name = result.value;
  void n;
}

// AST nodes are readonly.
if (name.kind === 'Compose') {
  // @ts-expect-error declarations are readonly
  name.declarations.push(name.declarations[0]!);
}

void canonical, asText, notSpelling, checked;
}
