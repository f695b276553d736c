// bitsandbytes 4-bit weights (NF4/FP4, with and without double quantization)
// in the engine, written by our own quantizer in the layout our exporter
// writes (weight, weight.absmax, weight.quant_map, weight.nested_*, and the
// quant_state JSON):
//   reference (ŵ = quant_map[code]·absmax in float, products summed in double)
//     vs a float64 product of the weights dequantizeBnb4 gives: ≤ 1e-6 · Σ|ŵ||x|;
//   fast paths vs that product: ≤ 1e-5 · Σ|ŵ||x| + 1e-5 · max|ŵ_row|·Σ|x|;
//   same bits with 1 thread or all, and for a token alone or in a batch.
// Shapes cover blocks that tile the rows (SIMD table lookups) and blocks that
// straddle rows (odd widths, the flattened order bitsandbytes uses).
import { describe, expect, it } from 'vitest';
import { storeLinear, type StoredLinearFormat } from '../../../electron/studio/engine/stored-linear.js';
import { EngineLinear } from '../../../electron/studio/engine/linear.js';
import { gaussian } from '../../helpers/tensors.js';
import { denseProduct, expectWithin, fastPaths, linearOf } from '../../helpers/linear-check.js';

const FORMATS: [string, StoredLinearFormat, string][] = [
  ['NF4', { kind: 'bnb4', type: 'nf4' }, 'NF4 b64'],
  ['NF4 + double quant', { kind: 'bnb4', type: 'nf4', doubleQuant: true }, 'NF4 b64 + double quant'],
  ['FP4', { kind: 'bnb4', type: 'fp4' }, 'FP4 b64'],
  ['FP4 + double quant', { kind: 'bnb4', type: 'fp4', doubleQuant: true }, 'FP4 b64 + double quant'],
  ['NF4 block 32', { kind: 'bnb4', type: 'nf4', blocksize: 32 }, 'NF4 b32'],
];
// [T, K, N]: K a multiple of the block (aligned) or not (blocks straddle rows; 37·7 is odd: a byte straddles rows too).
const SHAPES: [number, number, number][] = [[1, 64, 7], [3, 128, 33], [6, 640, 19], [1, 37, 7], [4, 172, 9], [2, 100, 3]];

describe('bitsandbytes 4-bit weights × float activations', () => {
  for (const [name, format, text] of FORMATS)
    for (const [T, K, N] of SHAPES)
      it(`${name}: T=${T} K=${K} N=${N}`, async () => {
        const w = gaussian(N * K, K * 5 + N, 0.05), x = gaussian(T * K, T * 11 + K);
        const stored = await storeLinear(w, N, K, format);
        const lin = await linearOf(stored);
        expect(lin.info()).toMatchObject({ method: 'bnb4', format: text, in: K, out: N });
        const ref = await (await linearOf(stored, { reference: true })).forward(x, T);
        const dense = denseProduct(stored.dequantized, x, T, N, K);
        expectWithin(ref, dense.y, T, N, (t, n) => 1e-6 * dense.mag[t * N + n] + 1e-30, 'reference vs dense');
        const fast = await fastPaths(lin, x, T);
        const rowMax = new Float64Array(N), sx = new Float64Array(T);
        for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) rowMax[n] = Math.max(rowMax[n], Math.abs(stored.dequantized[n * K + k]));
        for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) sx[t] += Math.abs(x[t * K + k]);
        const tol = (t: number, n: number) => 1e-5 * dense.mag[t * N + n] + 1e-5 * rowMax[n] * sx[t] + 1e-30;
        expectWithin(fast.avx2, dense.y, T, N, tol, 'avx2 vs dense');
        expectWithin(fast.portable, dense.y, T, N, tol, 'portable vs dense');
      });

  it('weight bytes: 4-bit codes and one float scale per block', async () => {
    const stored = await storeLinear(gaussian(16 * 128, 3, 0.05), 16, 128, { kind: 'bnb4', doubleQuant: true });
    expect((await linearOf(stored)).info().bytes).toBe(16 * 64 + 16 * 2 * 4);
  });
});

describe('bitsandbytes 4-bit: bad layouts are refused naming the tensor', () => {
  const N = 4, K = 64;
  async function fails(edit: (s: { weight: unknown; extra: Record<string, unknown> }) => void, message: RegExp, format: StoredLinearFormat = { kind: 'bnb4', doubleQuant: true }) {
    const s = await storeLinear(gaussian(N * K, 9, 0.05), N, K, format);
    const copy = { weight: s.weight as unknown, extra: { ...s.extra } as Record<string, unknown> };
    edit(copy);
    await expect(EngineLinear.create(copy.weight as never, { extra: copy.extra as never, name: 'model.q' })).rejects.toThrow(message);
  }
  const json = (o: unknown) => { const b = new Uint8Array(Buffer.from(JSON.stringify(o))); return { dtype: 'U8', shape: [b.length], data: b }; };
  const STATE = 'weight.quant_state.bitsandbytes__nf4';

  it('a quantization state that is not JSON', () =>
    fails((s) => { s.extra[STATE] = { dtype: 'U8', shape: [3], data: new Uint8Array([123, 34, 120]) }; }, /model\.q\.weight\.quant_state\.bitsandbytes__nf4': not a flat JSON object/));
  it('a shape that does not match the packed bytes', () =>
    fails((s) => { s.extra[STATE] = json({ quant_type: 'nf4', blocksize: 64, shape: [8, 64], nested_blocksize: 256, nested_offset: 0 }); }, /model\.q\.weight' holds 128 bytes; a 8×64 weight at 4 bits needs 256/));
  it('absmax of the wrong length', () =>
    fails((s) => { s.extra['weight.absmax'] = { dtype: 'F32', shape: [3], data: new Float32Array(3) }; }, /weight\.absmax' holds 3 values, expected 4 blocks of 64/, { kind: 'bnb4' }));
  it('double quantization without its nested scales', () => fails((s) => { delete s.extra['weight.nested_absmax']; }, /weight\.nested_absmax' is missing/));
  it('a quant_type that disagrees with the state\'s name', () =>
    fails((s) => { s.extra[STATE] = json({ quant_type: 'fp4', blocksize: 64, shape: [N, K], nested_blocksize: 256, nested_offset: 0 }); }, /quant_type must be 'nf4'/));
});
