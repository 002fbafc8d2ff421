/**
 * "Did you mean …?" for a mistyped namespace, name or parameter: the
 * closest known word, when it is close enough to be the one meant.
 */

/** The edit distance (insertions, deletions, substitutions, adjacent swaps) between `a` and `b`. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known word `word` was most likely meant to be, or undefined when none
 * is close: at most one edit for short words, two from six letters on, as
 * git's and npm's suggestions do.
 */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const limit = word.length < 6 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of known) {
    const dist = distance(word.toLowerCase(), k.toLowerCase());
    if (dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  return best;
}

/** ` (did you mean \`x\`?)`, or nothing. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const c = closest(word, known);
  return c === undefined || c === word ? '' : ` (did you mean \`${c}\`?)`;
}
