/**
 * Shell variables in string arguments (`exec:run`, `package:build-in-sandbox`).
 * A bare `$x` argument is an input's path; inside a string
 * (`args=[sh, -c, "cat $x > $out"]`) `$x` is left to the shell, which reads
 * it from the command's environment, where every input and output is a
 * variable. A misspelt or missing input then expands to nothing and the
 * command may well succeed with a wrong result. Nomia cannot always tell a
 * variable the script sets from a missing input, so it warns: a `$name` or
 * `${name}` that is neither in the environment, nor set by the shell, nor
 * assigned in the same string (`name=…`, `for name in`, `read name`) is
 * reported. Text in single quotes and after a backslash is not expanded by
 * the shell and is not looked at; `${name:-default}` says the author
 * expects it may be unset.
 */
import type { NamespaceEvent } from '../namespace/types.js';

/** Variables a POSIX shell (or bash) sets by itself. */
const SHELL_SETS = new Set([
  'PWD', 'OLDPWD', 'PPID', 'IFS', 'OPTIND', 'OPTARG', 'LINENO', 'RANDOM', 'SECONDS', 'UID', 'EUID',
  'HOSTNAME', 'SHLVL', 'BASH', 'BASHPID', 'BASH_VERSION', 'REPLY', 'PS1', 'PS2', 'PS4', 'SHELL',
]);

/** The text the shell would expand: without single-quoted parts and backslash-escaped characters. */
function expandable(text: string): string {
  let out = '';
  let inDouble = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      i++;
      out += ' ';
      continue;
    }
    if (c === '"') inDouble = !inDouble;
    if (c === "'" && !inDouble) {
      const end = text.indexOf("'", i + 1);
      if (end < 0) break;
      i = end;
      out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

/** Names a string assigns itself. */
function assigned(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)\+?=/g)) names.add(m[1]!);
  for (const m of text.matchAll(/\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\b/g)) names.add(m[1]!);
  for (const m of text.matchAll(/\b(?:read|local|export|getopts\s+\S+)((?:\s+-[A-Za-z]+)*(?:\s+[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
    for (const n of m[1]!.trim().split(/\s+/)) if (!n.startsWith('-')) names.add(n);
  }
  return names;
}

/** One `$name` of a string argument that nothing sets. */
export interface UnsetVariable {
  readonly variable: string;
  /** Index of the argument in `args`. */
  readonly argument: number;
}

/**
 * The variables string arguments mention that are not in `environment`
 * (inputs, outputs, what the namespace sets), not set by the shell and not
 * assigned in the same string. `args` holds undefined for non-strings.
 */
export function unsetVariables(args: readonly (string | undefined)[], environment: Iterable<string>): UnsetVariable[] {
  const known = new Set(environment);
  const found: UnsetVariable[] = [];
  args.forEach((arg, argument) => {
    if (arg === undefined || !arg.includes('$')) return;
    const text = expandable(arg);
    const own = assigned(text);
    const seen = new Set<string>();
    for (const m of text.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
      const variable = (m[1] ?? m[2])!;
      if (known.has(variable) || SHELL_SETS.has(variable) || own.has(variable) || seen.has(variable)) continue;
      seen.add(variable);
      found.push({ variable, argument });
    }
  });
  return found;
}

/** The warning event for each unset variable of `args` (`what`: the node, for the message). */
export function unsetVariableWarnings(what: string, args: readonly (string | undefined)[], environment: Iterable<string>): NamespaceEvent[] {
  return unsetVariables(args, environment).map(({ variable, argument }) => ({
    kind: 'warning', type: 'unset-variable', variable, where: `args[${argument}]`,
    message: `${what}: \`$${variable}\` in args[${argument}] is neither an input, an output nor a variable of the command's environment, so the shell expands it to nothing; `
      + `if it is an input, pass it (…(${variable}: NAME)); if the script sets it, ignore this`,
  }));
}
