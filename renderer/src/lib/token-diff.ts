// Where two generations part: token ids compared position by position. Up to
// the first difference both columns say the same; the token at it is the first
// difference; everything after it follows from different text and is marked
// as diverged, even where ids happen to coincide again.

export type TokenMark = 'same' | 'first' | 'diverged' | 'pending';

export interface TokenDiff {
  /** Generated-token index of the first difference, -1 while (or when) none is known. */
  first: number;
  a: TokenMark[];
  b: TokenMark[];
}

/**
 * `aDone`/`bDone`: that side has stopped generating. A side that stopped
 * shorter than the other (end of sequence) differs where its tokens end.
 * Tokens the other side has not produced yet are 'pending'.
 */
export function diffTokens(a: readonly number[], b: readonly number[], aDone = true, bDone = true): TokenDiff {
  const both = Math.min(a.length, b.length);
  let first = -1;
  for (let i = 0; i < both; i++) {
    if (a[i] !== b[i]) {
      first = i;
      break;
    }
  }
  if (first < 0 && a.length !== b.length && (a.length < b.length ? aDone : bDone)) first = both;
  const mark = (n: number, other: number): TokenMark[] =>
    Array.from({ length: n }, (_, i) => (first >= 0 ? (i < first ? 'same' : i === first ? 'first' : 'diverged') : i < other ? 'same' : 'pending'));
  return { first, a: mark(a.length, b.length), b: mark(b.length, a.length) };
}
