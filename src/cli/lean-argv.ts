/**
 * Taking a command line apart for a lean path (realize-lean.ts, up-lean.ts):
 * the few options such a path answers, without commander. Anything it does
 * not know makes it leave the command line to the full command.
 */

/** A command line taken apart: the options' values by field, a repeated one's values, the positional words, `--json`. */
export interface LeanArgv {
  readonly one: Readonly<Record<string, string>>;
  readonly many: readonly string[];
  readonly positional: readonly string[];
  readonly json: boolean;
}

/**
 * `argv` (without node and script) taken apart by `valued` (every spelling of an option with a value → its
 * field; `--x=v` and `--x v` alike), `--json` after the command word, and `-` or words as positional; the
 * field `repeated` may be given more than once (its values in `many`), any other only once. Undefined for
 * anything else: an unknown option, a missing value, an option other than `--store` before the command word.
 */
export function leanArgv(argv: readonly string[], valued: Readonly<Record<string, string>>, repeated?: string): LeanArgv | undefined {
  const one: Record<string, string> = {};
  const many: string[] = [];
  const positional: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json' && positional.length > 0) {
      json = true;
      continue;
    }
    if (a === '-' || !a.startsWith('-')) {
      positional.push(a);
      continue;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const field = valued[flag];
    // Before the command word only the program's own option counts.
    if (positional.length === 0 && field !== 'store') return undefined;
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (field === undefined || value === undefined) return undefined;
    if (field === repeated) many.push(value);
    else if (field in one) return undefined;
    else one[field] = value;
  }
  return { one, many, positional, json };
}
