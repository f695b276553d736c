import { describe, expect, it } from 'vitest';
import {
  compressBitmask,
  compressSparse24,
  decompressBitmask,
  decompressSparse24,
} from '../../../electron/studio/prune/sparse-bitmask.js';
import { pruneMagnitude } from '../../../electron/studio/prune/magnitude.js';
import { pruneNM } from '../../../electron/studio/prune/nm.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian } from '../../helpers/tensors.js';
import { expectSameArray } from '../../helpers/arrays.js';
import { toBf16 } from '../../helpers/half.js';

const addon = native();

describe('sparse-24 bitmask (compressed-tensors)', () => {
  it('by hand: values of the 2 largest of each 4 in order, mask bits little-endian per row', async () => {
    const x = new Float32Array([0, 3, 0, -2, 5, 0, 0, 1, /* row 2 */ 1, 2, 3, 4, 4, 3, 2, 1]);
    const c = await compressSparse24({ dtype: 'F32', shape: [2, 8], data: x });
    expect(Array.from(c.compressed.data)).toEqual([3, -2, 5, 1, 3, 4, 4, 3]);
    expect(c.compressed.shape).toEqual([2, 4]);
    expect(Array.from(c.bitmask)).toEqual([0b10011010, 0b00111100]);
    expect(c.bitmaskShape).toEqual([2, 1]);
    expect(c.shape).toEqual([2, 8]);
  });

  for (const dtype of ['F32', 'BF16'] as const) {
    for (const cols of [4, 12, 172, 1024]) {
      it(`${dtype} ${cols} columns: fast = reference; decompress gives the 2:4-pruned weights`, async () => {
        const x = gaussian(9 * cols, cols, 1);
        const t = { dtype, shape: [9, cols], data: dtype === 'F32' ? x : toBf16(x) };
        const [c, ref] = await Promise.all([compressSparse24(t), addon.compressSparse24(t, { reference: true })]);
        expectSameArray(c.compressed.data, ref.compressed.data);
        expectSameArray(c.bitmask, ref.bitmask);
        expect(c.bitmask.length).toBe(9 * Math.ceil(cols / 8));
        const dense = await decompressSparse24(c);
        const pruned = await pruneNM(t, { n: 2, m: 4 });
        expectSameArray(dense.data, pruned.tensor.data);
        const again = await compressSparse24(dense); // round trip of an already 2:4 tensor
        expectSameArray(again.compressed.data, c.compressed.data);
        expectSameArray(again.bitmask, c.bitmask);
      });
    }
  }

  it('refuses rows that are not a multiple of 4 and masks that do not flag half of each row', async () => {
    await expect(compressSparse24({ dtype: 'F32', shape: [2, 6], data: new Float32Array(12) })).rejects.toThrow(
      /multiple of 4, not 6/,
    );
    const c = await compressSparse24({ dtype: 'F32', shape: [1, 8], data: gaussian(8, 1) });
    c.bitmask[0] |= 0xff;
    await expect(decompressSparse24(c)).rejects.toThrow(/bitmask row 0 flags 8 values, expected 4/);
  });
});

describe('unstructured sparse bitmask (compressed-tensors sparse-bitmask)', () => {
  it('stores the non-zeros row by row with row offsets; the round trip is exact', async () => {
    for (const cols of [1, 7, 33, 1023]) {
      const x = gaussian(6 * cols, cols, 1);
      const pruned = (await pruneMagnitude({ dtype: 'F32', shape: [6, cols], data: x }, 0.7)).tensor;
      const c = await compressBitmask(pruned);
      const y = pruned.data as Float32Array;
      const nz = Array.from(y).filter((v) => v !== 0);
      expect(Array.from(c.compressed.data)).toEqual(nz);
      let offset = 0;
      for (let r = 0; r < 6; r++) {
        expect(c.rowOffsets[r]).toBe(BigInt(offset));
        offset += y.subarray(r * cols, (r + 1) * cols).filter((v) => v !== 0).length;
      }
      const back = await decompressBitmask(c);
      expectSameArray(back.data, y);
    }
  });

  it('refuses a mask that flags more values than given', async () => {
    const c = await compressBitmask({ dtype: 'F32', shape: [1, 8], data: new Float32Array([1, 0, 0, 0, 0, 0, 0, 2]) });
    c.bitmask[0] = 0xff;
    await expect(decompressBitmask(c)).rejects.toThrow(/bitmask flags 8 values but 2 were given/);
  });
});
