// compressed-tensors integer weights in the engine (W8A16, W4A16 and other
// widths; per-tensor, per-channel and group-wise; symmetric and asymmetric;
// pack-quantized and int-quantized), written by our own quantizer and packer:
//   reference (ŵ = (q − z)·s in float, products summed in double) vs a float64
//     product of the weights dequantizeInt gives: ≤ 1e-6 · Σ|ŵ||x|;
//   fast paths (AVX2 and portable) vs that product: ≤ 1e-5 · 4·max|ŵ_row|·Σ|x|
//     (they sum codes·x in float, whose terms reach 2^b·s·|x|);
//   the fast paths give the same bits with 1 thread or all, and for a token
//     alone or inside a batch.
import { describe, expect, it } from 'vitest';
import { storeLinear, type StoredLinearFormat } from '../../../electron/studio/engine/stored-linear.js';
import { gaussian } from '../../helpers/tensors.js';
import { denseProduct, expectWithin, fastPaths, linearOf } from '../../helpers/linear-check.js';
import { EngineLinear } from '../../../electron/studio/engine/linear.js';

type Case = [name: string, format: StoredLinearFormat, shapes: [T: number, K: number, N: number][], method: string, formatText: string];

const CASES: Case[] = [
  ['int8 per-channel sym', { kind: 'pack', bits: 8 }, [[1, 64, 7], [3, 1023, 9], [17, 100, 40]], 'pack_quantized', 'W8A16 per-channel sym'],
  ['int8 g32 asym', { kind: 'pack', bits: 8, granularity: 'group', groupSize: 32, symmetric: false }, [[1, 96, 13], [5, 160, 33]], 'pack_quantized', 'W8A16 g32 asym'],
  ['int4 g32 sym', { kind: 'pack', bits: 4, granularity: 'group', groupSize: 32 }, [[1, 64, 7], [4, 128, 33]], 'pack_quantized', 'W4A16 g32 sym'],
  ['int4 g32 asym', { kind: 'pack', bits: 4, granularity: 'group', groupSize: 32, symmetric: false }, [[1, 64, 7], [7, 192, 21]], 'pack_quantized', 'W4A16 g32 asym'],
  ['int4 g16 asym, F16 scales', { kind: 'pack', bits: 4, granularity: 'group', groupSize: 16, symmetric: false, scaleDtype: 'F16' }, [[4, 48, 11]], 'pack_quantized', 'W4A16 g16 asym'],
  ['int4 per-channel sym, odd widths', { kind: 'pack', bits: 4, numBits: true }, [[1, 37, 5], [6, 1023, 9], [2, 3, 4]], 'pack_quantized', 'W4A16 per-channel sym'],
  ['int4 per-tensor asym', { kind: 'pack', bits: 4, granularity: 'tensor', symmetric: false }, [[3, 33, 5]], 'pack_quantized', 'W4A16 per-tensor asym'],
  ['int3 g16 sym (held as 4-bit)', { kind: 'pack', bits: 3, granularity: 'group', groupSize: 16 }, [[2, 48, 7]], 'pack_quantized', 'W3A16 g16 sym (held as 4-bit)'],
  ['int6 per-channel asym (held as 8-bit)', { kind: 'pack', bits: 6, symmetric: false }, [[3, 50, 9]], 'pack_quantized', 'W6A16 per-channel asym (held as 8-bit)'],
  ['int2 g32 sym, num_bits given', { kind: 'pack', bits: 2, granularity: 'group', groupSize: 32, numBits: true }, [[2, 64, 5]], 'pack_quantized', 'W2A16 g32 sym (held as 4-bit)'],
  ['int-quantized int8 per-channel sym', { kind: 'int8' }, [[3, 77, 9], [1, 64, 3]], 'int_quantized', 'W8A16 per-channel sym'],
  ['int-quantized int8 g32 asym', { kind: 'int8', granularity: 'group', groupSize: 32, symmetric: false }, [[2, 64, 9]], 'int_quantized', 'W8A16 g32 asym'],
];

function rowMax(w: Float32Array, N: number, K: number): Float64Array {
  const m = new Float64Array(N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) m[n] = Math.max(m[n], Math.abs(w[n * K + k]));
  return m;
}

function absSums(x: Float32Array, T: number, K: number): Float64Array {
  const s = new Float64Array(T);
  for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) s[t] += Math.abs(x[t * K + k]);
  return s;
}

describe('integer weights × float activations', () => {
  for (const [name, format, shapes, method, formatText] of CASES)
    for (const [T, K, N] of shapes)
      it(`${name}: T=${T} K=${K} N=${N}`, async () => {
        const w = gaussian(N * K, K * 13 + N, 0.05), x = gaussian(T * K, T * 7 + K);
        const stored = await storeLinear(w, N, K, format);
        const ref = await (await linearOf(stored, { reference: true })).forward(x, T);
        const lin = await linearOf(stored);
        expect(lin.info()).toMatchObject({ method, format: formatText, in: K, out: N });
        const dense = denseProduct(stored.dequantized, x, T, N, K);
        expectWithin(ref, dense.y, T, N, (t, n) => 1e-6 * dense.mag[t * N + n] + 1e-30, 'reference vs dense');
        const fast = await fastPaths(lin, x, T);
        const m = rowMax(stored.dequantized, N, K), sx = absSums(x, T, K);
        const tol = (t: number, n: number) => 1e-5 * 4 * m[n] * sx[t] + 1e-30;
        expectWithin(fast.avx2, dense.y, T, N, tol, 'avx2 vs dense');
        expectWithin(fast.portable, dense.y, T, N, tol, 'portable vs dense');
      });

  it('a bias is added; weight bytes count codes as held, scales and zero points', async () => {
    const T = 3, K = 64, N = 10;
    const w = gaussian(N * K, 1, 0.05), x = gaussian(T * K, 2), b = gaussian(N, 3);
    const stored = await storeLinear(w, N, K, { kind: 'pack', bits: 4, granularity: 'group', groupSize: 32, symmetric: false });
    const y = await (await linearOf(stored, { bias: b })).forward(x, T);
    const y0 = await (await linearOf(stored)).forward(x, T);
    for (let i = 0; i < T * N; i++) expect(y[i]).toBeCloseTo(y0[i] + b[i % N], 5);
    // 4-bit codes (K/2 bytes a row), an F32 scale and an F32 offset per group.
    expect((await linearOf(stored)).info().bytes).toBe(N * (K / 2) + N * 2 * 4 + N * 2 * 4);
    const s8 = await storeLinear(w, N, K, { kind: 'pack', bits: 8 });
    expect((await linearOf(s8)).info().bytes).toBe(N * K + N * 4);
  });
});

describe('integer weights: bad layouts are refused naming the tensor', () => {
  const K = 64, N = 4;
  const w = gaussian(N * K, 5, 0.05);
  const fails = async (edit: (e: Record<string, unknown>) => void, message: RegExp, method?: string) => {
    const s = await storeLinear(w, N, K, { kind: 'pack', bits: 4, granularity: 'group', groupSize: 32, symmetric: false });
    const extra = { ...s.extra } as Record<string, unknown>;
    edit(extra);
    await expect(EngineLinear.create(null, { extra: extra as never, name: 'blk.0.attn_q', method })).rejects.toThrow(message);
  };

  it('packed words that fit no width', () =>
    fails((e) => { e.weight_packed = { dtype: 'I32', shape: [N, 3], data: new Int32Array(N * 3) }; }, /blk\.0\.attn_q\.weight_packed.*3 words per row/));
  it('missing scales', () => fails((e) => { delete e.weight_scale; }, /blk\.0\.attn_q\.weight_scale' is missing/));
  it('scales of the wrong shape', () =>
    fails((e) => { e.weight_scale = { dtype: 'F32', shape: [N, 3], data: new Float32Array(N * 3) }; }, /3 scale groups do not divide 64/));
  it('zero points of the wrong shape', () =>
    fails((e) => { e.weight_zero_point = { dtype: 'I32', shape: [2, 2], data: new Int32Array(4) }; }, /weight_zero_point' has shape \[2, 2\], expected \[1, 2\]/));
  it('a companion no layout has (GPTQ act-order indices)', () =>
    fails((e) => { e.weight_g_idx = { dtype: 'I32', shape: [K], data: new Int32Array(K) }; }, /weight_g_idx' is not part of the compressed-tensors pack-quantized layout/));
  it('a method that needs a plain weight (LLM.int8()) on a packed layer says what the layer is stored as', () =>
    fails(() => {}, /no plain weight \(it is stored as weight_packed, weight_scale, weight_shape, weight_zero_point\); this method needs a float or GGML block weight/, 'llm_int8'));
  it('an ambiguous width without num_bits', async () => {
    const extra = {
      weight_packed: { dtype: 'I32', shape: [2, 1], data: new Int32Array(2) },
      weight_scale: { dtype: 'F32', shape: [2, 1], data: new Float32Array(2) },
      weight_shape: { dtype: 'I64', shape: [2], data: BigInt64Array.from([2n, 4n]) },
    };
    await expect(EngineLinear.create(null, { extra, name: 'l' })).rejects.toThrow(/ambiguous.*num_bits/);
  });
});
