// "Did you mean": the closest of a set of words to a mistyped one, scored as Python's
// difflib.SequenceMatcher.ratio scores (az's parser picks its recommendation with
// difflib.get_close_matches, cutoff 0.7). Pure.

const CUTOFF = 0.7;

/** 2·M / (|a| + |b|), M the characters in matching blocks, found longest block first as difflib does. */
export function similarity(a: string, b: string): number {
  if (!a.length && !b.length) return 1;
  return (2 * matched(a, b)) / (a.length + b.length);
}

function matched(a: string, b: string): number {
  if (!a.length || !b.length) return 0;
  let best = 0;
  let atA = 0;
  let atB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      let k = 0;
      while (i + k < a.length && j + k < b.length && a[i + k] === b[j + k]) k++;
      if (k > best) [best, atA, atB] = [k, i, j];
    }
  }
  if (!best) return 0;
  return best + matched(a.slice(0, atA), b.slice(0, atB)) + matched(a.slice(atA + best), b.slice(atB + best));
}

/** The candidate most like `word` (ignoring case), if any is alike enough. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = CUTOFF;
  for (const c of candidates) {
    const score = similarity(word.toLowerCase(), c.toLowerCase());
    if (score >= bestScore && (best === undefined || score > bestScore)) [best, bestScore] = [c, score];
  }
  return best;
}
