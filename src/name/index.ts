/** The name language: AST, parser, printer and JSON form. */
export * from './ast.js';
export {
  parseName, parseExpression, parseExpressionInto, tryParseName, MAX_DEPTH, NAME_SYNTAX_VERSION,
  type ParseResult, type TopLevelSink,
} from './parse.js';
export { maxNameLength, MAX_NAME_LENGTH } from './limits.js';
export { print, printWith, printValue, printSegment, CanonicalWriter, type PrintOptions } from './print.js';
export { formatExpression } from './format.js';
export { toJson, fromJson, JSON_FORMAT, type Json, type ToJsonOptions } from './json.js';
