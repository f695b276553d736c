// Every quantizer and pruner can write into arrays the caller owns (reused
// across tensors of one shape): same results, the same arrays handed back,
// wrong types or lengths refused.
import { describe, expect, it } from 'vitest';
import { dequantizeInt, quantizeInt } from '../../../electron/studio/quant/int-quant.js';
import { dequantizeBnb4, quantizeBnb4 } from '../../../electron/studio/quant/bnb4.js';
import { pruneMagnitude } from '../../../electron/studio/prune/magnitude.js';
import { pruneNM } from '../../../electron/studio/prune/nm.js';
import { gaussian } from '../../helpers/tensors.js';
import { expectSameArray } from '../../helpers/arrays.js';

const x = gaussian(16 * 64, 5, 0.1);
const t = { dtype: 'F32', shape: [16, 64], data: x };

describe('caller-owned output arrays', () => {
  it('quantizeInt / dequantizeInt', async () => {
    const spec = { bits: 4, granularity: 'group' as const, groupSize: 32 };
    const fresh = await quantizeInt(t, spec);
    const out = { codes: new Int8Array(x.length).fill(99), scales: new Float32Array(32), zeroPoints: new Int32Array(32).fill(7) };
    const q = await quantizeInt(t, { ...spec, out });
    expect(q.codes).toBe(out.codes);
    expect(q.zeroPoints).toBe(out.zeroPoints);
    expectSameArray(out.codes, fresh.codes);
    expectSameArray(out.scales, fresh.scales);
    expectSameArray(out.zeroPoints, fresh.zeroPoints);
    const dst = new Float32Array(x.length);
    const d = await dequantizeInt(q, [16, 64], spec, { out: dst });
    expect(d).toBe(dst);
    expectSameArray(dst, await dequantizeInt(q, [16, 64], spec));
    await expect(quantizeInt(t, { ...spec, out: { codes: new Int8Array(5) } })).rejects.toThrow(/out.codes must have 1024 elements/);
    await expect(quantizeInt(t, { ...spec, out: { scales: new Int32Array(32) as unknown as Float32Array } })).rejects.toThrow(
      /out.scales must be a Float32Array/,
    );
  });

  it('quantizeBnb4 / dequantizeBnb4, with and without double quantization', async () => {
    for (const doubleQuant of [false, true]) {
      const fresh = await quantizeBnb4(t, { doubleQuant });
      const out = doubleQuant
        ? { packed: new Uint8Array(512), absmaxCodes: new Uint8Array(16), nestedAbsmax: new Float32Array(1) }
        : { packed: new Uint8Array(512), absmax: new Float32Array(16) };
      const q = await quantizeBnb4(t, { doubleQuant, out });
      expect(q.packed).toBe(out.packed);
      expectSameArray(q.packed, fresh.packed);
      if (doubleQuant) expectSameArray(q.absmaxCodes!, fresh.absmaxCodes!);
      else expectSameArray(q.absmax!, fresh.absmax!);
      const dst = new Float32Array(x.length);
      expect(await dequantizeBnb4(q, x.length, {}, { out: dst })).toBe(dst);
      expectSameArray(dst, await dequantizeBnb4(q, x.length, {}));
    }
  });

  it('pruneMagnitude / pruneNM', async () => {
    const out = new Float32Array(x.length);
    const a = await pruneMagnitude(t, 0.5, { out });
    expect(a.tensor.data).toBe(out);
    expectSameArray(out, (await pruneMagnitude(t, 0.5)).tensor.data);
    const b = await pruneNM(t, { n: 2, m: 4 }, { out });
    expect(b.tensor.data).toBe(out);
    expectSameArray(out, (await pruneNM(t, { n: 2, m: 4 })).tensor.data);
    await expect(pruneNM(t, { n: 2, m: 4 }, { out: new Uint16Array(x.length) })).rejects.toThrow(/out must be a Float32Array/);
  });
});
