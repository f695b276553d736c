import { describe, expect, it } from 'vitest';
import { packInt32, unpackInt32, type PackShape } from '../../../electron/studio/quant/pack.js';
import { native } from '../../../electron/studio/native/addon.js';
import { mulberry32 } from '../../helpers/tensors.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { refPackRows } from '../../helpers/int-quant-ref.js';

const addon = native();

function randomCodes(n: number, bits: number, seed: number): Int8Array {
  const rand = mulberry32(seed), out = new Int8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 2 ** bits) - 2 ** (bits - 1);
  return out;
}

describe('packInt32 / unpackInt32', () => {
  for (const cols of [1, 3, 7, 33, 172, 1023]) {
    it(`${cols} columns: fast = bit-by-bit reference, round trip, both dims and layouts, bits 1–8`, async () => {
      const rows = 5;
      for (let bits = 1; bits <= 8; bits++) {
        const codes = randomCodes(rows * cols, bits, cols * 10 + bits);
        for (const dim of [0, 1] as const) {
          for (const layout of ['dense', 'legacy'] as const) {
            const shape: PackShape = { rows, cols, bits, dim, layout };
            const what = JSON.stringify(shape);
            const [fast, ref] = await Promise.all([packInt32(codes, shape), addon.packInt32(codes, { ...shape, reference: true })]);
            expectSameArray(fast.packed, ref.packed, what);
            const words = layout === 'dense' ? Math.ceil(((dim ? cols : rows) * bits) / 32) : Math.ceil((dim ? cols : rows) / Math.floor(32 / bits));
            expect(fast.shape, what).toEqual(dim ? [rows, words] : [words, cols]);
            const [back, backRef] = await Promise.all([
              unpackInt32(fast.packed, shape),
              addon.unpackInt32(fast.packed, { ...shape, reference: true }),
            ]);
            expectSameArray(back, codes, what);
            expectSameArray(backRef, codes, what);
          }
        }
        // Independent TypeScript transcription of compressed-tensors' dense pack_to_int32.
        const dense = await packInt32(codes, { rows, cols, bits });
        expectSameArray(dense.packed, refPackRows(codes, rows, cols, bits), `bits ${bits}`);
      }
    });
  }

  it('matches compressed-tensors worked examples', async () => {
    // pack_to_int32 docstring: 8-bit codes [1, 2] → unsigned [129, 130] → 33409
    expect(Array.from((await packInt32(new Int8Array([1, 2]), { rows: 1, cols: 2, bits: 8 })).packed)).toEqual([33409]);
    // 4-bit: code i at bits 4i; −8..−1 are unsigned 0..7
    const four = await packInt32(new Int8Array([-8, -7, -6, -5, -4, -3, -2, -1, 7]), { rows: 1, cols: 9, bits: 4 });
    expect(Array.from(four.packed)).toEqual([0x76543210, 0xf]);
    // 3-bit dense: code 10 straddles words 0 and 1 (bits 30..32); legacy leaves bits 30–31 empty
    const codes = new Int8Array(11).fill(-4); // unsigned 0
    codes[10] = 3; // unsigned 7 = 0b111
    const dense = await packInt32(codes, { rows: 1, cols: 11, bits: 3 });
    expect(Array.from(dense.packed)).toEqual([(0b11 << 30) | 0, 0b1]);
    const legacy = await packInt32(codes, { rows: 1, cols: 11, bits: 3, layout: 'legacy' });
    expect(Array.from(legacy.packed)).toEqual([0, 0b111]);
    // zero points packed along dim 0: column-wise
    const zp = await packInt32(new Int8Array([1, -1, 2, -2]), { rows: 2, cols: 2, bits: 4, dim: 0 });
    expect(zp.shape).toEqual([1, 2]);
    expect(Array.from(zp.packed)).toEqual([9 | (10 << 4), 7 | (6 << 4)]);
  });

  it('refuses codes that do not fit and sizes that do not match', async () => {
    await expect(packInt32(new Int8Array([0, 8]), { rows: 1, cols: 2, bits: 4 })).rejects.toThrow(
      /code 8 at \[0, 1\] does not fit in 4 bits/,
    );
    await expect(packInt32(new Int8Array(6), { rows: 2, cols: 2, bits: 4 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(unpackInt32(new Int32Array(3), { rows: 2, cols: 8, bits: 4 })).rejects.toThrow(/packed must have 2 words/);
    await expect(packInt32(new Int8Array(2), { rows: 1, cols: 2, bits: 9 })).rejects.toThrow(/bits must be between 1 and 8/);
  });
});
