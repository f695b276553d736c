// Sorting and filtering of the inspector's tensor table, kept apart from the
// component so it is tested on its own.
import type { TensorInfo, TensorStatsRow } from '../../../electron/common/contract';

export type TensorColumn = 'name' | 'shape' | 'dtype' | 'bytes' | 'std' | 'kurtosis' | 'outlierShare' | 'absmax';
export interface SortState {
  column: TensorColumn;
  descending: boolean;
}

export interface TensorRow extends TensorInfo {
  stats: TensorStatsRow | undefined;
}

function key(r: TensorRow, c: TensorColumn): number | string | undefined {
  switch (c) {
    case 'name': return r.name;
    case 'shape': return r.parameters;
    case 'dtype': return r.dtype;
    case 'bytes': return r.bytes;
    default: return r.stats?.[c];
  }
}

/** Sorts a copy; rows without the statistic go last whichever the direction. */
export function sortRows(rows: TensorRow[], sort: SortState): TensorRow[] {
  const dir = sort.descending ? -1 : 1;
  // Natural order for names, so layers.10 follows layers.9.
  const collator = new Intl.Collator(undefined, { numeric: true });
  return [...rows].sort((a, b) => {
    const ka = key(a, sort.column), kb = key(b, sort.column);
    if (ka === undefined || (typeof ka === 'number' && Number.isNaN(ka))) return kb === undefined ? 0 : 1;
    if (kb === undefined || (typeof kb === 'number' && Number.isNaN(kb))) return -1;
    if (typeof ka === 'string' && typeof kb === 'string') return dir * collator.compare(ka, kb);
    return dir * ((ka as number) - (kb as number));
  });
}

export interface TensorFilter {
  /** Words that must all appear in the name (or dtype), or /regex/. */
  text: string;
  linearOnly: boolean;
}

/** Returns a predicate, or an error message when the /regex/ does not parse. */
export function tensorMatcher(f: TensorFilter): { test: (r: TensorRow) => boolean; error: string | null } {
  const text = f.text.trim();
  let nameTest: (name: string, dtype: string) => boolean = () => true;
  let error: string | null = null;
  const re = /^\/(.+)\/([a-z]*)$/.exec(text);
  if (re) {
    try {
      const rx = new RegExp(re[1], re[2].replace(/[^imsu]/g, ''));
      nameTest = (name) => rx.test(name);
    } catch (e) {
      error = `not a valid regular expression: ${(e as Error).message}`;
    }
  } else if (text) {
    const words = text.toLowerCase().split(/\s+/);
    // A type matches by any of its words: 'int4' finds 'int4 g32 sym' layers, 'F16' finds F16 tensors.
    nameTest = (name, dtype) => words.every((w) => name.toLowerCase().includes(w) || dtype.toLowerCase().split(' ').includes(w));
  }
  return { test: (r) => (!f.linearOnly || r.linear) && nameTest(r.name, r.dtype), error };
}
