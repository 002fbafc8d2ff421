/** The name language: AST, parser, printer and JSON form. */
export * from './ast.js';
export { parseName, parseExpression, tryParseName, MAX_DEPTH, type ParseResult } from './parse.js';
export { print, printWith, printValue, printSegment, type PrintOptions } from './print.js';
export { toJson, fromJson, JSON_FORMAT, type Json, type ToJsonOptions } from './json.js';
