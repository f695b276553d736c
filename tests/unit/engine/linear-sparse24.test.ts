// 2:4 sparse weights in compressed-tensors' sparse-24-bitmask layout (what our
// exporter writes for 2:4-pruned, unquantized weights), run without densifying:
//   reference (kept weights × their inputs, summed in double) vs a float64
//     product of the dense weights decompressSparse24 gives: ≤ 1e-6 · Σ|w||x|;
//   fast paths (AVX2 gathers, portable) vs the same: ≤ 1e-5 · Σ|w||x|;
//   same bits with 1 thread or all, and for a token alone or in a batch.
import { describe, expect, it } from 'vitest';
import { storeLinear } from '../../../electron/studio/engine/stored-linear.js';
import { EngineLinear } from '../../../electron/studio/engine/linear.js';
import { gaussian } from '../../helpers/tensors.js';
import { denseProduct, expectWithin, fastPaths, linearOf } from '../../helpers/linear-check.js';

const SHAPES: [number, number, number][] = [[1, 16, 7], [3, 64, 13], [5, 172, 9], [2, 4, 3], [17, 100, 5], [1, 1024, 33]];

describe('2:4 sparse weights × float activations', () => {
  for (const dtype of ['F32', 'F16', 'BF16'] as const)
    for (const [T, K, N] of SHAPES)
      it(`${dtype} T=${T} K=${K} N=${N}`, async () => {
        const w = gaussian(N * K, K * 17 + N, 0.05), x = gaussian(T * K, T * 5 + K);
        const stored = await storeLinear(w, N, K, { kind: 'sparse24', dtype });
        const lin = await linearOf(stored);
        expect(lin.info()).toMatchObject({ method: 'sparse24', format: `2:4 sparse ${dtype}`, in: K, out: N, bytes: N * (K / 2) * (dtype === 'F32' ? 4 : 2) + N * Math.ceil(K / 8) });
        let zeros = 0;
        for (const v of stored.dequantized) if (v === 0) zeros++;
        expect(zeros).toBe((N * K) / 2);
        const ref = await (await linearOf(stored, { reference: true })).forward(x, T);
        const dense = denseProduct(stored.dequantized, x, T, N, K);
        expectWithin(ref, dense.y, T, N, (t, n) => 1e-6 * dense.mag[t * N + n] + 1e-30, 'reference vs dense');
        const fast = await fastPaths(lin, x, T);
        expectWithin(fast.avx2, dense.y, T, N, (t, n) => 1e-5 * dense.mag[t * N + n] + 1e-30, 'avx2 vs dense');
        expectWithin(fast.portable, dense.y, T, N, (t, n) => 1e-5 * dense.mag[t * N + n] + 1e-30, 'portable vs dense');
      });
});

describe('2:4 sparse: bad layouts are refused naming the tensor', () => {
  const N = 3, K = 12;
  async function fails(edit: (e: Record<string, unknown>) => void, message: RegExp) {
    const s = await storeLinear(gaussian(N * K, 4), N, K, { kind: 'sparse24' });
    const extra = { ...s.extra } as Record<string, unknown>;
    edit(extra);
    await expect(EngineLinear.create(null, { extra: extra as never, name: 'blk.2.ffn_up' })).rejects.toThrow(message);
  }
  it('a group of 4 keeping 3', () =>
    fails((e) => {
      const m = ((e.bitmask as { data: Uint8Array }).data).slice();
      m[2] = 0b0111; // row 1, columns 0..3
      e.bitmask = { dtype: 'U8', shape: [N, 2], data: m };
    }, /blk\.2\.ffn_up\.bitmask': row 1, columns 0…7 do not keep exactly 2 of every 4/));
  it('bits past the last column', () =>
    fails((e) => {
      const m = ((e.bitmask as { data: Uint8Array }).data).slice();
      m[1] |= 0x30;
      e.bitmask = { dtype: 'U8', shape: [N, 2], data: m };
    }, /row 0, columns 8…11 do not keep exactly 2/));
  it('values of the wrong shape', () =>
    fails((e) => { e.compressed = { dtype: 'F32', shape: [N, 5], data: new Float32Array(N * 5) }; }, /blk\.2\.ffn_up\.compressed' has shape \[3, 5\], expected \[3, 6\]/));
  it('a width that is not groups of 4', () =>
    fails((e) => { e.shape = { dtype: 'I64', shape: [2, 1], data: BigInt64Array.from([3n, 10n]) }; }, /10 columns are not groups of 4/));
});
