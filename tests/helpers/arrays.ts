// Fast exact comparison of large typed arrays (vitest's deep equality walks
// element by element through iterators and is slow on millions of values).
import { expect } from 'vitest';

type Numeric = ArrayLike<number> | ArrayLike<bigint>;

/** Fails naming the first index where the arrays differ (Object.is semantics per element). */
export function expectSameArray(actual: Numeric, expected: Numeric, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      expect(actual[i], `${what} [${i}]`).toBe(expected[i]);
    }
  }
}
