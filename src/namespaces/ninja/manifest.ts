/**
 * The ninja manifest language (`build.ninja`), parsed and evaluated into
 * edges whose paths and bindings are plain strings.
 *
 * Grammar, as ninja's own manifest_parser.cc reads it:
 *
 *   file      := (blank | comment | decl)*
 *   decl      := var '=' value            (expanded at once in the file's scope)
 *              | 'rule' NAME (INDENT var '=' value)*      (kept unexpanded)
 *              | 'build' outs ['|' outs] ':' RULE ins ['|' ins] ['||' ins] ['|@' ins]
 *                   (INDENT var '=' value)*              (expanded at once, edge scope)
 *              | 'pool' NAME INDENT 'depth' '=' value
 *              | 'default' paths | 'include' path | 'subninja' path
 *   escapes   := '$$' '$ ' '$:' '$' NEWLINE (continuation: the next line's indent is skipped)
 *   variables := '$name' ([A-Za-z0-9_-]+) | '${name}' ([A-Za-z0-9_.-]+)
 *
 * A rule's bindings are expanded per edge, looked up in the edge's own
 * bindings, then the rule's, then the scope the edge was declared in;
 * `$in`/`$out` are the explicit inputs/outputs joined by spaces, each
 * quoted for the shell where needed. `include` reads into the current
 * scope, `subninja` into a child scope.
 */
import { NomiaError } from '../../namespace/index.js';

/** One piece of a value: literal text, or a variable to expand. */
type Part = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'var'; readonly name: string };
type Value = readonly Part[];

/** A build statement, evaluated: every path and binding a plain string. */
export interface Edge {
  readonly rule: string;
  readonly outputs: readonly string[];
  readonly implicitOutputs: readonly string[];
  readonly inputs: readonly string[];
  readonly implicitInputs: readonly string[];
  readonly orderOnly: readonly string[];
  /** `command`, `depfile`, `deps`, `restat`, `generator`, `pool`, `description`, … as the rule and edge set them, expanded. */
  readonly bindings: Readonly<Record<string, string>>;
}

export interface Manifest {
  readonly edges: readonly Edge[];
  /** `default` targets, in order; empty when none is declared (then ninja builds every output no edge reads). */
  readonly defaults: readonly string[];
  readonly pools: Readonly<Record<string, number>>;
}

/** Reads an `include`d or `subninja` file, relative to the build directory. */
export type ReadFile = (path: string) => string;

/** The rule bindings ninja knows; others are kept too, as ninja does. */
const RULE_VARS = ['command', 'depfile', 'deps', 'msvc_deps_prefix', 'description', 'dyndep', 'generator', 'pool', 'restat', 'rspfile', 'rspfile_content'];

class Scope {
  readonly vars = new Map<string, string>();
  readonly rules = new Map<string, Map<string, Value>>();
  constructor(readonly parent?: Scope) {
    if (!parent) this.rules.set('phony', new Map());
  }

  lookup(name: string): string {
    return this.vars.get(name) ?? this.parent?.lookup(name) ?? '';
  }

  rule(name: string): Map<string, Value> | undefined {
    return this.rules.get(name) ?? this.parent?.rule(name);
  }
}

function expand(value: Value, lookup: (name: string) => string): string {
  return value.map((p) => (p.kind === 'text' ? p.text : lookup(p.name))).join('');
}

/** Quote a path for `$in`/`$out` as ninja does: only when it holds a character the shell treats specially. */
export function shellEscape(path: string): string {
  return /^[A-Za-z0-9_+\-./,=@%:]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}

/** A reader over one file's text: values, paths and identifiers, with ninja's escapes. */
class Lexer {
  pos = 0;
  line = 1;
  constructor(readonly text: string, readonly file: string) {}

  fail(what: string): never {
    throw new NomiaError('ninja/syntax', `${this.file}:${this.line}: ${what}`, { hint: 'regenerate build.ninja (cmake -G Ninja …) or fix the line named' });
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Skip spaces and `$\n` continuations. */
  skipSpace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ') this.pos++;
      else if (c === '$' && (this.text[this.pos + 1] === '\n' || (this.text[this.pos + 1] === '\r' && this.text[this.pos + 2] === '\n'))) {
        this.pos += this.text[this.pos + 1] === '\n' ? 2 : 3;
        this.line++;
      } else return;
    }
  }

  /** The indentation of the current line (the lexer stands at its start), consumed only when followed by content. */
  indented(): boolean {
    // A comment line (indented or not) is skipped as ninja's lexer does, also inside a block of bindings.
    for (let m; (m = /^[ \t]*#[^\n]*(\n|$)/.exec(this.text.slice(this.pos, this.pos + 4096))) && m[0].length > 0 && !this.atEnd();) {
      this.pos += m[0].length;
      this.line++;
    }
    let p = this.pos;
    while (this.text[p] === ' ' || this.text[p] === '\t') p++;
    if (p === this.pos) return false;
    const c = this.text[p];
    if (c === '\n' || c === '\r' || c === '#' || c === undefined) return false;
    this.pos = p;
    return true;
  }

  ident(): string {
    const m = /^[A-Za-z0-9_.-]+/.exec(this.text.slice(this.pos, this.pos + 256));
    if (!m) this.fail(`expected a name, found ${JSON.stringify(this.text.slice(this.pos, this.pos + 20))}`);
    this.pos += m[0].length;
    this.skipSpace();
    return m[0];
  }

  expect(c: string): void {
    if (this.text[this.pos] !== c) this.fail(`expected '${c}'`);
    this.pos++;
    this.skipSpace();
  }

  endLine(): void {
    if (this.text[this.pos] === '\r') this.pos++;
    if (this.atEnd()) return;
    if (this.text[this.pos] !== '\n') this.fail(`unexpected ${JSON.stringify(this.text[this.pos])}`);
    this.pos++;
    this.line++;
  }

  /** A value (to the end of the line) or a path (to a space, `:` or `|` too). */
  value(path: boolean): Value {
    const parts: Part[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push({ kind: 'text', text });
      text = '';
    };
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n' || (c === '\r' && this.text[this.pos + 1] === '\n')) break;
      if (path && (c === ' ' || c === ':' || c === '|')) break;
      if (c !== '$') {
        text += c;
        this.pos++;
        continue;
      }
      const n = this.text[this.pos + 1];
      if (n === '$' || n === ' ' || n === ':') {
        text += n;
        this.pos += 2;
      } else if (n === '\n' || n === '\r') {
        this.pos += n === '\n' ? 2 : 3;
        this.line++;
        while (this.text[this.pos] === ' ') this.pos++;
      } else if (n === '{') {
        const end = this.text.indexOf('}', this.pos);
        const name = end < 0 ? '' : this.text.slice(this.pos + 2, end);
        if (!/^[A-Za-z0-9_.-]+$/.test(name)) this.fail('bad ${…} variable reference');
        flush();
        parts.push({ kind: 'var', name });
        this.pos = end + 1;
      } else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.pos + 1, this.pos + 257));
        if (!m) this.fail(`bad $-escape ${JSON.stringify(`$${n ?? ''}`)} (use $$ for a literal $)`);
        flush();
        parts.push({ kind: 'var', name: m[0] });
        this.pos += 1 + m[0].length;
      }
    }
    flush();
    if (path) this.skipSpace();
    return parts;
  }

  /** Paths up to one of `stops` (or the end of the line). */
  paths(): Value[] {
    const out: Value[] = [];
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n' || c === '\r' || c === ':' || c === '|') return out;
      out.push(this.value(true));
    }
  }
}

interface Collect {
  readonly edges: Edge[];
  readonly defaults: string[];
  readonly pools: Record<string, number>;
}

function parseInto(text: string, file: string, scope: Scope, read: ReadFile, out: Collect, depth: number): void {
  if (depth > 64) throw new NomiaError('ninja/syntax', `${file}: include depth over 64 (an include cycle?)`);
  const lx = new Lexer(text, file);
  while (!lx.atEnd()) {
    const c = lx.text[lx.pos];
    if (c === '\n' || c === '\r') {
      lx.endLine();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '#') {
      // A comment, or a blank line of spaces: ninja allows both anywhere.
      while (lx.text[lx.pos] === ' ' || lx.text[lx.pos] === '\t') lx.pos++;
      if (lx.text[lx.pos] === '#' || lx.text[lx.pos] === '\n' || lx.text[lx.pos] === '\r' || lx.atEnd()) {
        while (!lx.atEnd() && lx.text[lx.pos] !== '\n') lx.pos++;
        continue;
      }
      lx.fail('unexpected indentation');
    }
    const word = lx.ident();
    const bindings = (): [string, Value][] => {
      lx.endLine();
      const list: [string, Value][] = [];
      while (lx.indented()) {
        const key = lx.ident();
        lx.expect('=');
        list.push([key, lx.value(false)]);
        lx.endLine();
      }
      return list;
    };
    if (word === 'rule') {
      const name = lx.ident();
      if (scope.rules.has(name)) lx.fail(`duplicate rule '${name}'`);
      const rule = new Map(bindings());
      if (!rule.has('command')) lx.fail(`rule '${name}' has no command`);
      scope.rules.set(name, rule);
    } else if (word === 'build') {
      parseBuild(lx, scope, bindings, out);
    } else if (word === 'pool') {
      const name = lx.ident();
      const depth = bindings().find(([k]) => k === 'depth');
      out.pools[name] = depth ? Number(expand(depth[1], (v) => scope.lookup(v))) : 1;
    } else if (word === 'default') {
      const paths = lx.paths();
      if (!paths.length) lx.fail('default needs a target');
      out.defaults.push(...paths.map((p) => expand(p, (v) => scope.lookup(v))));
      lx.endLine();
    } else if (word === 'include' || word === 'subninja') {
      const path = expand(lx.value(false), (v) => scope.lookup(v)).trim();
      lx.endLine();
      parseInto(read(path), path, word === 'include' ? scope : new Scope(scope), read, out, depth + 1);
    } else {
      lx.expect('=');
      scope.vars.set(word, expand(lx.value(false), (v) => scope.lookup(v)));
      lx.endLine();
    }
  }
}

function parseBuild(lx: Lexer, scope: Scope, bindings: () => [string, Value][], out: Collect): void {
  const outs = lx.paths();
  let implicitOuts: Value[] = [];
  if (lx.text[lx.pos] === '|') {
    lx.expect('|');
    implicitOuts = lx.paths();
  }
  lx.expect(':');
  const ruleName = lx.ident();
  const ins = lx.paths();
  let implicit: Value[] = [];
  let orderOnly: Value[] = [];
  while (lx.text[lx.pos] === '|') {
    if (lx.text.startsWith('||', lx.pos)) {
      lx.pos += 2;
      lx.skipSpace();
      orderOnly = lx.paths();
    } else if (lx.text.startsWith('|@', lx.pos)) {
      lx.pos += 2;
      lx.skipSpace();
      lx.paths(); // validations: ninja builds them alongside; not inputs of the edge
    } else {
      lx.expect('|');
      implicit = lx.paths();
    }
  }
  const rule = scope.rule(ruleName);
  if (!rule) lx.fail(`unknown rule '${ruleName}'`);
  const edgeVars = new Map<string, string>();
  for (const [k, v] of bindings()) edgeVars.set(k, expand(v, (name) => edgeVars.get(name) ?? scope.lookup(name)));
  const atEdge = (name: string) => edgeVars.get(name) ?? scope.lookup(name);
  const ev = (ps: Value[]) => ps.map((p) => expand(p, atEdge));
  const outputs = ev(outs);
  const inputs = ev(ins);
  if (!outputs.length) lx.fail('build needs an output');
  const special: Record<string, string> = {
    in: inputs.map(shellEscape).join(' '),
    in_newline: inputs.map(shellEscape).join('\n'),
    out: outputs.map(shellEscape).join(' '),
  };
  // A rule binding sees the edge's bindings, then other rule bindings (no cycles), then the scope.
  const seen = new Set<string>();
  const lookup = (name: string): string => {
    if (name in special) return special[name]!;
    if (edgeVars.has(name)) return edgeVars.get(name)!;
    const rv = rule.get(name);
    if (rv && !seen.has(name)) {
      seen.add(name);
      const v = expand(rv, lookup);
      seen.delete(name);
      return v;
    }
    return scope.lookup(name);
  };
  const evaluated: Record<string, string> = {};
  for (const key of new Set([...RULE_VARS, ...rule.keys()])) {
    const v = lookup(key);
    if (v !== '') evaluated[key] = v;
  }
  out.edges.push({
    rule: ruleName, outputs, implicitOutputs: ev(implicitOuts), inputs, implicitInputs: ev(implicit), orderOnly: ev(orderOnly), bindings: evaluated,
  });
}

/**
 * Parse the manifest `text` (read from `file`, for messages); `read` gives
 * the text of `include`d and `subninja` files. Throws `ninja/syntax` with
 * the file and line of the first error.
 */
export function parseManifest(text: string, file: string, read: ReadFile): Manifest {
  const out: Collect = { edges: [], defaults: [], pools: { console: 1 } };
  parseInto(text, file, new Scope(), read, out, 0);
  return out;
}
