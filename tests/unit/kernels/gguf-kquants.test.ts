// K-quant, IQ4 and importance-weighted quantizers against ggml: the bytes
// llama-quantize's functions wrote for hard inputs (tests/fixtures/gguf-blocks/
// ggml-kquants.*, made by scripts/fixtures/gguf-kquants-ggml-vectors.cc), with
// and without importance weights, on both paths; then the fast path against the
// scalar reference on odd sizes, thread counts and input dtypes; bad input.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dequantizeGguf, GGML_BLOCKS, ggufTensorBytes, quantizeGguf, type GgufQuantType } from '../../../electron/studio/quant/gguf.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian, mulberry32, withOutliers } from '../../helpers/tensors.js';
import { f16ToF32, f32ToF16 } from './gguf-spec-reference.js';

const addon = native();
afterEach(() => {
  addon.setSimd(true);
  addon.setThreads(0);
});

const FIX = 'tests/fixtures/gguf-blocks';
const manifest = JSON.parse(readFileSync(`${FIX}/ggml-kquants.json`, 'utf8'));
const blob = readFileSync(`${FIX}/${manifest.blocks}`);
const vec = (name: string) => {
  const v = manifest.vectors[name];
  if (!v) throw new Error(`fixture has no '${name}'`);
  return new Uint8Array(blob.buffer.slice(blob.byteOffset + v.offset, blob.byteOffset + v.offset + v.byteLength));
};
const ROWS: number = manifest.rows, COLS: number = manifest.cols;
const input = new Float32Array(vec('input').buffer);
const importance = new Float32Array(vec('importance').buffer);
const bytesOf = (x: ArrayBuffer | Uint8Array) => Buffer.from(x instanceof Uint8Array ? x : new Uint8Array(x));

const SEARCHED: GgufQuantType[] = ['Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'IQ4_NL', 'IQ4_XS'];
const LEGACY_WEIGHTED: GgufQuantType[] = ['Q4_0', 'Q4_1', 'Q5_0', 'Q5_1'];

/** Index of the first differing block, or -1. */
function firstBadBlock(got: Uint8Array, want: Uint8Array, blockBytes: number): number {
  for (let b = 0; b * blockBytes < want.length; b++)
    if (!bytesOf(got.subarray(b * blockBytes, (b + 1) * blockBytes)).equals(bytesOf(want.subarray(b * blockBytes, (b + 1) * blockBytes)))) return b;
  return -1;
}

async function expectBytes(type: GgufQuantType, opts: { importance?: Float32Array; iq4NlRowRef?: boolean }, want: Uint8Array, skip?: (block: number) => boolean) {
  const t = { dtype: 'F32', shape: [ROWS, COLS], data: input, name: `${type} fixture` };
  const bytes = GGML_BLOCKS[type].bytes;
  for (const [simd, reference] of [[true, false], [false, false], [true, true]] as const) {
    addon.setSimd(simd);
    let got = new Uint8Array(await addon.ggufQuantize(t, type, { ...opts, reference }));
    if (skip) {
      got = got.slice();
      const w = want.slice();
      for (let b = 0; b * bytes < w.length; b++) if (skip(b)) got.set(w.subarray(b * bytes, (b + 1) * bytes), b * bytes);
      want = w;
    }
    expect({ simd, reference, firstBadBlock: firstBadBlock(got, want, bytes) }).toEqual({ simd, reference, firstBadBlock: -1 });
  }
}

describe('ggml vectors (fixture): the bytes llama-quantize writes', () => {
  for (const type of SEARCHED) {
    it(`${type} without an importance matrix (quantize_${type.toLowerCase()}(…, NULL))`, async () => {
      await expectBytes(type, {}, vec(`${type} llama-quantize`));
    });
    it(`${type} with an importance matrix`, async () => {
      await expectBytes(type, { importance }, vec(`${type} importance`));
    });
  }
  for (const type of LEGACY_WEIGHTED) {
    it(`${type} with an importance matrix (quantize_row_${type.toLowerCase()}_impl)`, async () => {
      await expectBytes(type, { importance }, vec(`${type} importance`));
    });
  }

  it('Q2_K…Q6_K and IQ4_XS: llama-quantize without a matrix is quantize_row_*_ref', () => {
    for (const type of ['Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'IQ4_XS'])
      expect(bytesOf(vec(`${type} ref`)).equals(bytesOf(vec(`${type} llama-quantize`)))).toBe(true);
    expect(bytesOf(vec('IQ4_NL ref')).equals(bytesOf(vec('IQ4_NL llama-quantize')))).toBe(false);
  });

  it('IQ4_NL as quantize_row_iq4_nl_ref (no scale sweep), all-zero blocks aside', async () => {
    // ggml leaves the codes of a block below GROUP_MAX_EPS (1e-15) unset — stale stack — and its
    // scale 0, so they decode to 0 whatever they are.
    const zero = (b: number) => input.subarray(32 * b, 32 * b + 32).every((v) => Math.abs(v) < 1e-15);
    await expectBytes('IQ4_NL', { iq4NlRowRef: true }, vec('IQ4_NL ref'), zero);
  });

  it('Q8_K (activations) as quantize_row_q8_K_ref', async () => {
    await expectBytes('Q8_K', {}, vec('Q8_K ref'));
  });

  for (const type of ['IQ4_NL', 'IQ4_XS'] as const) {
    it(`${type} dequantizes to ggml's floats`, async () => {
      const blocks = vec(`${type} blocks`), n = manifest.vectors[`${type} blocks`].blockCount;
      const want = vec(`${type} dequantized`);
      for (const simd of [true, false]) {
        addon.setSimd(simd);
        const got = await dequantizeGguf(blocks, type, [n, GGML_BLOCKS[type].elements]);
        expect(bytesOf(new Uint8Array(got.buffer)).equals(bytesOf(want))).toBe(true);
      }
    });
  }
});

/** Weight-like rows: gaussian with outliers, a zero sub-block, a constant run, tiny values. */
function rows(n: number, cols: number, seed: number): Float32Array {
  const x = withOutliers(gaussian(n * cols, seed, 0.02), 101, 20);
  const rand = mulberry32(seed);
  for (let b = 0; b < x.length / 32; b += 5) {
    const blk = x.subarray(32 * b, 32 * b + 32), r = rand();
    if (r < 0.15) blk.fill(0);
    else if (r < 0.3) blk.fill(-0.03);
    else if (r < 0.45) blk.forEach((v, j) => (blk[j] = Math.abs(v)));
    else if (r < 0.6) blk.forEach((v, j) => (blk[j] = v * 1e-10));
  }
  return x;
}

describe('fast path equals the scalar reference byte for byte', () => {
  const shapes: [number, number][] = [[1, 256], [3, 512], [7, 768], [33, 256], [2, 256 * 13]];
  for (const type of [...SEARCHED, 'Q8_K' as GgufQuantType]) {
    it(`${type}: ${shapes.length} shapes, with and without importance, 1 and all threads`, async () => {
      for (const [r, c] of shapes) {
        const t = { dtype: 'F32', shape: [r, c], data: rows(r, c, r * 31 + c) };
        const w = new Float32Array(c).map((_, j) => (j % 41 === 7 ? 0 : Math.exp(Math.sin(j) * 2)));
        for (const imp of type === 'Q8_K' ? [undefined] : [undefined, w]) {
          const ref = await addon.ggufQuantize(t, type, { reference: true, importance: imp });
          expect(ref.byteLength).toBe(ggufTensorBytes(type, [r, c]));
          for (const [simd, threads] of [[true, 0], [true, 1], [false, 0]] as const) {
            addon.setSimd(simd);
            addon.setThreads(threads);
            expect(bytesOf(await addon.ggufQuantize(t, type, { importance: imp })).equals(bytesOf(ref))).toBe(true);
          }
        }
      }
    });
  }
  it('legacy types with importance, odd block counts', async () => {
    for (const type of LEGACY_WEIGHTED)
      for (const [r, c] of [[1, 32], [5, 96], [9, 1056]]) {
        const t = { dtype: 'F32', shape: [r, c], data: rows(r, c, c + r) };
        const w = new Float32Array(c).map((_, j) => 0.1 + (j % 7));
        const ref = await addon.ggufQuantize(t, type, { reference: true, importance: w });
        addon.setSimd(true);
        expect(bytesOf(await addon.ggufQuantize(t, type, { importance: w })).equals(bytesOf(ref))).toBe(true);
      }
  });
});

describe('inputs, round trip and bad input', () => {
  it('F16 rows quantize as their F32 values', async () => {
    const x = gaussian(4 * 512, 9, 0.05);
    const h = new Uint16Array(x.length).map((_, i) => f32ToF16(x[i]));
    const hx = new Float32Array(h.length).map((_, i) => f16ToF32(h[i]));
    for (const type of ['Q4_K', 'IQ4_XS'] as const)
      expect(bytesOf(await addon.ggufQuantize({ dtype: 'F16', shape: [4, 512], data: h }, type))
        .equals(bytesOf(await addon.ggufQuantize({ dtype: 'F32', shape: [4, 512], data: hx }, type)))).toBe(true);
  });

  it('dequantized k-quants stay close to the input', async () => {
    const x = rows(16, 1024, 4);
    const tol: Record<string, number> = { Q2_K: 0.5, Q3_K: 0.3, Q4_K: 0.12, Q5_K: 0.06, Q6_K: 0.04, IQ4_NL: 0.15, IQ4_XS: 0.15 };
    for (const type of SEARCHED) {
      const q = await quantizeGguf({ dtype: 'F32', shape: [16, 1024], data: x }, type);
      const y = await dequantizeGguf(q, type, [16, 1024]);
      let num = 0, den = 0;
      for (let i = 0; i < x.length; i++) (num += (x[i] - y[i]) ** 2), (den += x[i] ** 2);
      expect(Math.sqrt(num / den), type).toBeLessThan(tol[type]);
    }
  });

  it('refuses a wrong importance length, negative or NaN weights, and non-finite values', async () => {
    const t = { dtype: 'F32', shape: [2, 256], data: gaussian(512, 1), name: 'blk.0.attn_q.weight' };
    await expect(quantizeGguf(t, 'Q4_K', { importance: new Float32Array(255) })).rejects.toThrow(/blk\.0\.attn_q\.weight': importance has 255 weights, the tensor has 256 columns/);
    const bad = new Float32Array(256).fill(1);
    bad[9] = NaN;
    await expect(quantizeGguf(t, 'Q4_K', { importance: bad })).rejects.toThrow(/importance weight of column 9 is nan/i);
    bad[9] = -1;
    await expect(quantizeGguf(t, 'IQ4_XS', { importance: bad })).rejects.toThrow(/column 9 is -1\.0+; weights must be finite and not negative/);
    const x = gaussian(512, 2);
    x[256 + 77] = Infinity;
    for (const reference of [false, true])
      await expect(addon.ggufQuantize({ ...t, data: x }, 'Q3_K', { reference })).rejects.toThrow(/value at row 1, column 77 is NaN or infinite/);
  });

  it('an importance matrix that is zero over a whole block is refused, as llama-quantize refuses it', async () => {
    const w = new Float32Array(512).fill(1);
    w.fill(0, 256, 512);
    const t = { dtype: 'F32', shape: [3, 512], data: gaussian(3 * 512, 3), name: 'w' };
    await expect(quantizeGguf(t, 'Q4_K', { importance: w })).rejects.toThrow(/'w': row 0 gives a Q4_K scale that is not finite/);
  });
});
