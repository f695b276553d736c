import { afterEach, describe, expect, it } from 'vitest';
import { GlobalMagnitudePruning, magnitudeThreshold, pruneMagnitude } from '../../../electron/studio/prune/magnitude.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian } from '../../helpers/tensors.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { fromHalf, toBf16, toF16 } from '../../helpers/half.js';

const addon = native();
afterEach(() => addon.setSimd(true));

type Dtype = 'F32' | 'F16' | 'BF16';
function tensor(dtype: Dtype, shape: number[], x: Float32Array, name?: string) {
  const data = dtype === 'F32' ? x : dtype === 'F16' ? toF16(x) : toBf16(x);
  return { dtype, shape, data, name };
}
const values = (t: { dtype: string; data: ArrayLike<number> }) =>
  t.dtype === 'F32' ? Float32Array.from(t.data) : fromHalf(t.data as Uint16Array, t.dtype as 'F16' | 'BF16');

describe('magnitude pruning: fast paths agree with the scalar reference', () => {
  for (const simd of [true, false]) {
    for (const dtype of ['F32', 'F16', 'BF16'] as Dtype[]) {
      it(`${simd ? 'avx2' : 'portable'} ${dtype}`, async () => {
        addon.setSimd(simd);
        for (const cols of [1, 3, 7, 33, 172, 1023]) {
          const x = gaussian(5 * cols, cols, 0.1);
          for (let i = 0; i < x.length; i += 9) x[i] = 0; // some zeros already
          const t = tensor(dtype, [5, cols], x);
          for (const sparsity of [0, 0.05, 0.5, 0.9, 1]) {
            const [fast, ref] = await Promise.all([
              pruneMagnitude(t, sparsity),
              addon.pruneMagnitude(t, { sparsity, reference: true }),
            ]);
            const what = `${cols} cols, sparsity ${sparsity}`;
            expectSameArray(fast.tensor.data, ref.tensor.data, what);
            expect(fast.pruned, what).toBe(Math.floor(sparsity * x.length));
            expect(fast.zeros, what).toBe(ref.zeros);
            expect(fast.tensor.dtype).toBe(dtype);
            expect(fast.tensor.shape).toEqual([5, cols]);
          }
        }
      });
    }
  }
});

describe('magnitude pruning against a sort of the magnitudes', () => {
  it('prunes exactly the ⌊s·N⌋ smallest |w| of a 300K-element tensor (radix selection)', async () => {
    const x = gaussian(300_000, 3, 0.02);
    const sorted = Float64Array.from(x, Math.abs).sort();
    for (const sparsity of [0.3, 0.75]) {
      const target = Math.floor(sparsity * x.length);
      const r = await pruneMagnitude(tensor('F32', [600, 500], x), sparsity);
      expect(r.pruned).toBe(target);
      const y = r.tensor.data as Float32Array;
      let maxPruned = 0, minKept = Infinity, zeros = 0, changed = 0;
      for (let i = 0; i < x.length; i++) {
        if (y[i] === 0) {
          zeros++;
          maxPruned = Math.max(maxPruned, Math.abs(x[i]));
        } else {
          changed += y[i] !== x[i] ? 1 : 0;
          minKept = Math.min(minKept, Math.abs(x[i]));
        }
      }
      expect(changed).toBe(0);
      expect(zeros).toBe(target);
      expect(maxPruned).toBe(sorted[target - 1]);
      expect(minKept).toBe(sorted[target]);
      expect(r.sparsity).toBe(target / x.length);
    }
  });

  it('ties are pruned in order until the count is exact; existing zeros count towards sparsity', async () => {
    const x = new Float32Array([1, 1, 1, 1, -1, 2, 3, 0]);
    const r = await pruneMagnitude(tensor('F32', [2, 4], x), 0.5); // 4 smallest: 0 and the first three ±1
    expect(Array.from(r.tensor.data)).toEqual([0, 0, 0, 1, -1, 2, 3, 0]);
    expect([r.pruned, r.zeros, r.sparsity]).toEqual([4, 4, 0.5]);
    const z = new Float32Array(10).fill(0.5);
    z.fill(0, 0, 4); // 40% zeros, asking for 20%
    const r2 = await pruneMagnitude(tensor('F32', [10], z), 0.2);
    expect([r2.pruned, r2.zeros, r2.sparsity]).toEqual([2, 4, 0.4]);
    expect(Array.from(r2.tensor.data)).toEqual(Array.from(z));
  });

  it('prunes NaN last (it orders above every magnitude)', async () => {
    const t = tensor('F32', [5], new Float32Array([NaN, 1, 2, 3, Infinity]));
    for (const reference of [false, true]) {
      const r = await addon.pruneMagnitude(t, { sparsity: 0.8, reference });
      expect(Number.isNaN(r.tensor.data[0])).toBe(true);
      expect(Array.from(r.tensor.data).slice(1)).toEqual([0, 0, 0, 0]);
      const all = await addon.pruneMagnitude(t, { sparsity: 1, reference });
      expect(Array.from(all.tensor.data)).toEqual([0, 0, 0, 0, 0]);
    }
  });
});

describe('global magnitude pruning: one threshold over several tensors', () => {
  it('F32, F16 and BF16 tensors with different scales: exact total, per-tensor sparsities differ', async () => {
    const parts = [
      tensor('F32', [64, 33], gaussian(64 * 33, 1, 0.01), 'a'),
      tensor('F16', [17, 172], gaussian(17 * 172, 2, 0.05), 'b'),
      tensor('BF16', [8, 1023], gaussian(8 * 1023, 3, 0.2), 'c'),
    ];
    const all = parts.flatMap((p) => Array.from(values(p), Math.abs)).sort((a, b) => a - b);
    const sparsity = 0.6, target = Math.floor(sparsity * all.length);
    const g = await GlobalMagnitudePruning.create(parts, sparsity);
    expect(g.threshold.threshold).toBe(all[target - 1]);
    expect(g.threshold.target).toBe(target);
    const results = [];
    for (const p of parts) results.push(await g.prune(p));
    expect(results.reduce((s, r) => s + r.pruned, 0)).toBe(target);
    const [a, b, c] = results.map((r) => r.sparsity);
    expect(a).toBeGreaterThan(b); // the small-scale tensor loses the most
    expect(b).toBeGreaterThan(c);
    for (const [i, r] of results.entries()) {
      const v = values(r.tensor), orig = values(parts[i]);
      for (let k = 0; k < v.length; k++) if (v[k] !== 0) expect(Math.abs(orig[k])).toBeGreaterThanOrEqual(all[target - 1]);
    }
  });

  it('reports progress through both selection passes and can be cancelled', async () => {
    const big = tensor('F32', [1000, 1000], gaussian(1_000_000, 4, 0.1));
    const stages = new Set<string>();
    await magnitudeThreshold([big, big], 0.5, { onProgress: (_d, _t, stage) => stages.add(stage) });
    await new Promise((r) => setImmediate(r));
    expect([...stages].some((s) => s.startsWith('select'))).toBe(true);
    const ac = new AbortController();
    ac.abort();
    await expect(magnitudeThreshold([big], 0.5, { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('refuses sparsity outside [0, 1] and integer tensors', async () => {
    const t = tensor('F32', [4], new Float32Array(4));
    await expect(magnitudeThreshold([t], 1.5)).rejects.toThrow(/sparsity must be between 0 and 1/);
    await expect(pruneMagnitude({ dtype: 'I8', shape: [4], data: new Int8Array(4) }, 0.5)).rejects.toThrow(/F32, F16 or BF16/);
  });
});
