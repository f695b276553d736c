// GGUF blocks: fast paths equal the scalar references (any thread count, odd
// sizes, every input dtype), the TS wrapper, the fallback rule, bad input, and
// block tensors read through core's to_f32 (tensor statistics).
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../../electron/common/errors.js';
import '../../../electron/studio/inspect/tensor-stats.js';
import { dequantizeGguf, GGML_BLOCKS, ggufTensorBytes, quantizeGguf, type GgufQuantType } from '../../../electron/studio/quant/gguf.js';
import { describeGgufFallback, ggufFallbackType } from '../../../electron/studio/quant/gguf-fallback.js';
import { native } from '../../../electron/studio/native/addon.js';
import { gaussian, mulberry32, withOutliers } from '../../helpers/tensors.js';
import { f32ToF16 } from './gguf-spec-reference.js';

const addon = native();
afterEach(() => {
  addon.setSimd(true);
  addon.setThreads(0);
});

const QUANT: GgufQuantType[] = ['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1'];
const same = (a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView) => {
  const view = (x: ArrayBuffer | ArrayBufferView) => (x instanceof ArrayBuffer ? Buffer.from(x) : Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  return view(a).equals(view(b));
};

/** Gaussian rows with outliers and a few planted hard blocks. */
function rows(n: number, cols: number, seed: number): Float32Array {
  const x = withOutliers(gaussian(n * cols, seed, 0.02), 211, 30);
  const rand = mulberry32(seed);
  for (let b = 0; b < x.length / 32; b += 7) {
    const blk = x.subarray(32 * b, 32 * b + 32), r = rand();
    if (r < 0.2) blk.fill(r < 0.1 ? 0 : -0);
    else if (r < 0.4) blk.fill(0.125);
    else if (r < 0.6) (blk[1] = 1), (blk[9] = -1);
    else if (r < 0.8) blk.forEach((v, j) => (blk[j] = v * 1e-37));
  }
  return x;
}

describe('quantize: fast path equals the scalar reference byte for byte', () => {
  const shapes = [[1, 32], [3, 32], [7, 64], [33, 96], [5, 1023 * 32], [300, 4096]];
  for (const type of QUANT) {
    it(`${type} on ${shapes.length} shapes, SIMD and portable, 1 and all threads`, async () => {
      for (const [r, c] of shapes) {
        const t = { dtype: 'F32', shape: [r, c], data: rows(r, c, r * 7 + c) };
        const ref = await addon.ggufQuantize(t, type, { reference: true });
        expect(ref.byteLength).toBe(ggufTensorBytes(type, [r, c]));
        for (const [simd, threads] of [[true, 0], [true, 1], [false, 0]] as const) {
          addon.setSimd(simd);
          addon.setThreads(threads);
          expect(same(await addon.ggufQuantize(t, type), ref)).toBe(true);
        }
      }
    });
  }
});

describe('dequantize: fast path equals the scalar reference bit for bit', () => {
  for (const type of Object.keys(GGML_BLOCKS) as (keyof typeof GGML_BLOCKS)[]) {
    it(`${type}`, async () => {
      const { elements, bytes } = GGML_BLOCKS[type];
      for (const nb of [1, 3, 7, 33, 1023]) {
        const rand = mulberry32(nb + bytes);
        const data = new Uint8Array(nb * bytes).map(() => Math.floor(rand() * 256));
        const t = { dtype: type, shape: [nb, elements], data };
        const ref = await addon.ggufDequantize(t, { reference: true });
        for (const simd of [true, false]) {
          addon.setSimd(simd);
          expect(same(await addon.ggufDequantize(t), ref)).toBe(true);
        }
      }
    });
  }

  // Half a step, plus the FP16 rounding of d and m; Q4_0/Q5_0 clamp the side
  // opposite their signed max at code 15/31, a full step from it.
  it('round trip stays within half a step of each block (a full one at the Q4_0/Q5_0 clamp)', async () => {
    const x = rows(64, 512, 5);
    for (const type of QUANT) {
      const blocks = await quantizeGguf({ dtype: 'F32', shape: [64, 512], data: x }, type);
      const y = await dequantizeGguf(blocks, type, [64, 512]);
      const dv = new DataView(blocks.buffer, blocks.byteOffset, blocks.byteLength);
      const { bytes } = GGML_BLOCKS[type];
      const steps = type === 'Q4_0' || type === 'Q5_0' ? 1 : 0.5;
      for (let b = 0; b < x.length / 32; b++) {
        const h = dv.getUint16(b * bytes, true), d = Math.abs((h & 0x3ff | 0x400) * 2 ** (((h >> 10) & 31) - 25));
        const blk = x.subarray(32 * b, 32 * b + 32), amax = Math.max(...blk.map(Math.abs));
        for (let j = 0; j < 32; j++) expect(Math.abs(blk[j] - y[32 * b + j])).toBeLessThanOrEqual(steps * d + amax * 2 ** -9 + 1e-30);
      }
    }
  });
});

describe('inputs and outputs', () => {
  it('F16 and BF16 tensors quantize as their F32 values do', async () => {
    const x = gaussian(8 * 256, 11, 0.1);
    const h = new Uint16Array(x.length).map((_, i) => f32ToF16(x[i]));
    const hx = new Float32Array(x.length).map((_, i) => { const v = h[i], e = (v >> 10) & 31, m = v & 1023, s = v & 0x8000 ? -1 : 1; return e ? s * (1024 + m) * 2 ** (e - 25) : s * m * 2 ** -24; });
    const bf = new Uint16Array(new Float32Array(x).buffer).filter((_, i) => i % 2 === 1);
    const bx = new Float32Array(new Uint32Array(bf.length).map((_, i) => bf[i] << 16).buffer);
    for (const type of QUANT) {
      expect(same(await addon.ggufQuantize({ dtype: 'F16', shape: [8, 256], data: h }, type),
        await addon.ggufQuantize({ dtype: 'F32', shape: [8, 256], data: hx }, type))).toBe(true);
      expect(same(await addon.ggufQuantize({ dtype: 'BF16', shape: [8, 256], data: bf }, type),
        await addon.ggufQuantize({ dtype: 'F32', shape: [8, 256], data: bx }, type))).toBe(true);
    }
  });

  it('reads F32 at an odd file offset and block tensors from a mapped file, row ranges too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcs-gguf-'));
    try {
      const x = rows(16, 256, 3);
      const q = await quantizeGguf({ dtype: 'F32', shape: [16, 256], data: x }, 'Q4_1');
      const path = join(dir, 'blocks.bin');
      writeFileSync(path, Buffer.concat([Buffer.from([7]), Buffer.from(x.buffer), Buffer.from([1, 2, 3]), q]));
      const file = new addon.MappedFile(path);
      const fromFile = await quantizeGguf({ dtype: 'F32', shape: [16, 256], file, offset: 1, byteLength: x.byteLength }, 'Q4_1');
      expect(same(fromFile, q)).toBe(true);
      const at = 1 + x.byteLength + 3;
      const all = await dequantizeGguf({ file, offset: at, byteLength: q.length }, 'Q4_1', [16, 256]);
      expect(same(all, await dequantizeGguf(q, 'Q4_1', [16, 256]))).toBe(true);
      const part = await dequantizeGguf({ file, offset: at, byteLength: q.length }, 'Q4_1', [16, 256], { rows: [5, 9] });
      expect(same(part, all.subarray(5 * 256, 9 * 256))).toBe(true);
      file.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes into a caller buffer when given one, and checks its size', async () => {
    const x = rows(4, 256, 8), t = { dtype: 'F32', shape: [4, 256], data: x };
    const fresh = await quantizeGguf(t, 'Q5_1');
    const out = Buffer.alloc(fresh.length, 0xee);
    expect(await quantizeGguf(t, 'Q5_1', { out })).toBe(out);
    expect(out.equals(fresh)).toBe(true);
    const y = new Float32Array(2 * 256).fill(NaN);
    expect(await dequantizeGguf(out, 'Q5_1', [4, 256], { rows: [1, 3], out: y })).toBe(y);
    expect(same(y, (await dequantizeGguf(out, 'Q5_1', [4, 256])).subarray(256, 768))).toBe(true);
    await expect(quantizeGguf(t, 'Q5_1', { out: Buffer.alloc(fresh.length - 1) })).rejects.toThrow(/out has 767 bytes, the result needs 768/);
    await expect(dequantizeGguf(out, 'Q5_1', [4, 256], { out: new Float32Array(1023) })).rejects.toThrow(/the result needs 4096/);
  });

  it('reports progress and can be cancelled', async () => {
    const t = { dtype: 'F32', shape: [2048, 1024], data: gaussian(2048 * 1024, 1) };
    const seen: number[] = [];
    await quantizeGguf(t, 'Q8_0', { onProgress: (done, total) => seen.push(done / total) });
    await new Promise((r) => setTimeout(r, 20)); // progress arrives through the event loop, maybe after the result
    expect(seen.at(-1)).toBe(1);
    const ac = new AbortController();
    ac.abort();
    await expect(quantizeGguf(t, 'Q8_0', { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('bad input gets a clear error', () => {
  it('names the row and column of a NaN or inf, in both paths', async () => {
    const x = gaussian(4 * 64, 2);
    x[2 * 64 + 37] = NaN;
    x[3 * 64 + 1] = Infinity;
    for (const reference of [false, true]) {
      await expect(addon.ggufQuantize({ dtype: 'F32', shape: [4, 64], data: x, name: 'w' }, 'Q4_0', { reference }))
        .rejects.toThrow(/tensor 'w': value at row 2, column 37 is NaN or infinite/);
    }
    await expect(quantizeGguf({ dtype: 'F32', shape: [4, 64], data: x, name: 'w' }, 'Q8_0')).rejects.toBeInstanceOf(StudioError);
  });

  it('refuses rows that are not whole blocks, unknown types and non-float inputs', async () => {
    const t = { dtype: 'F32', shape: [64, 172], data: new Float32Array(64 * 172), name: 'blk.0.ffn_down.weight' };
    await expect(quantizeGguf(t, 'Q8_0')).rejects.toThrow(/blk\.0\.ffn_down\.weight.*172 elements are not a multiple of the Q8_0 block of 32/);
    await expect(quantizeGguf({ ...t, shape: [172, 64] }, 'Q6_K')).rejects.toThrow(/64 elements are not a multiple of the Q6_K block of 256/);
    await expect(quantizeGguf({ ...t, shape: [172, 64] }, 'Q8_1' as GgufQuantType)).rejects.toThrow(/cannot quantize to Q8_1/);
    await expect(quantizeGguf({ dtype: 'I32', shape: [1, 32], data: new Int32Array(32) }, 'Q8_0')).rejects.toThrow(/needs F32, F16, BF16 or F64/);
  });

  it('refuses block tensors whose bytes or shape do not add up', async () => {
    await expect(dequantizeGguf(new Uint8Array(33), 'Q8_0', [1, 32])).rejects.toThrow(/needs 34 bytes of Q8_0 but 33/);
    await expect(dequantizeGguf(new Uint8Array(144), 'Q4_K', [2, 128])).rejects.toThrow(/128 elements are not a multiple of the Q4_K block of 256/);
    await expect(dequantizeGguf(new Uint8Array(34), 'Q8_0', [1, 32], { rows: [0, 2] })).rejects.toThrow(/outside its 1 rows/);
    await expect(dequantizeGguf(new Float32Array(1), 'F32' as 'Q8_0', [1])).rejects.toThrow(/F32 is not a GGML block type/);
  });
});

describe('a result too large for memory', () => {
  it('is refused with an error (V8 would abort the process)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcs-gguf-'));
    try {
      const path = join(dir, 'sparse.bin');
      writeFileSync(path, '');
      truncateSync(path, 84 * 2 ** 28); // 22 GB of Q2_K (sparse) → 275 GB of floats
      const file = new addon.MappedFile(path);
      await expect(dequantizeGguf({ file, offset: 0, byteLength: file.size }, 'Q2_K', [2 ** 28, 256], { name: 'huge' }))
        .rejects.toMatchObject({ code: 'OUT_OF_MEMORY', message: expect.stringMatching(/tensor 'huge'.*row ranges/) });
      file.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ggufFallbackType', () => {
  it('keeps a type whose block fits the row and falls back otherwise', () => {
    for (const t of ['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1'] as const) {
      expect(ggufFallbackType(t, 4096)).toEqual({ requested: t, type: t });
      expect(ggufFallbackType(t, 172)).toEqual({ requested: t, type: 'f16', reason: '172 columns not a multiple of 32' });
    }
    expect(ggufFallbackType('f32', 172)).toEqual({ requested: 'f32', type: 'f32' });
    expect(ggufFallbackType('f16', 5)).toEqual({ requested: 'f16', type: 'f16' });
    expect(ggufFallbackType('q4_0', 0).type).toBe('q4_0');
  });

  it('maps k-quants as llama-quantize does (Q6_K→Q8_0, Q5_K→Q5_1, Q4_K→Q5_0), then F16', () => {
    expect(ggufFallbackType('q6_k', 64).type).toBe('q8_0');
    expect(ggufFallbackType('q5_k', 64).type).toBe('q5_1');
    expect(ggufFallbackType('q4_k', 64)).toEqual({ requested: 'q4_k', type: 'q5_0', reason: '64 columns not a multiple of 256' });
    expect(ggufFallbackType('q3_k', 96).type).toBe('q4_0');
    expect(ggufFallbackType('q4_k', 172)).toEqual({ requested: 'q4_k', type: 'f16', reason: '172 columns not a multiple of 256 or 32' });
    expect(ggufFallbackType('q6_k', 512).type).toBe('q6_k');
  });

  it('prints the line the exporter shows, and rejects nonsense', () => {
    expect(describeGgufFallback('blk.0.ffn_down.weight', ggufFallbackType('q4_0', 172))).toBe(
      'blk.0.ffn_down.weight: 172 columns not a multiple of 32 → F16',
    );
    expect(describeGgufFallback('x', ggufFallbackType('q4_0', 64))).toBeUndefined();
    expect(() => ggufFallbackType('q4_0', -1)).toThrow(RangeError);
    expect(() => ggufFallbackType('q3_0' as 'q4_0', 32)).toThrow(/unknown GGUF type/);
  });

  it('agrees with the types llama.cpp chose in stories260K-Q4_K_M (fixture)', () => {
    const m = JSON.parse(readFileSync('tests/fixtures/gguf-blocks/stories260K-llamacpp.json', 'utf8'));
    const chosen = (name: string) => m.tensors.find((t: { file: string; tensor: string }) => t.file === 'stories260K-Q4_K_M.gguf' && t.tensor === name);
    expect(ggufFallbackType('q4_k', 64).type.toUpperCase()).toBe(chosen('token_embd.weight').type); // Q5_0
    expect(ggufFallbackType('q6_k', 64).type.toUpperCase()).toBe(chosen('blk.2.attn_v.weight').type); // Q8_0
    expect(ggufFallbackType('q4_k', 172).type.toUpperCase()).toBe(chosen('blk.0.ffn_down.weight').type); // F16
  });
});

describe('block tensors through core to_f32 (tensor statistics)', () => {
  async function statsMatchDecoded(dtype: string, shape: number[], data: Uint8Array) {
    const decoded = await addon.ggufDequantize({ dtype, shape, data }, { reference: true });
    for (const reference of [false, true]) {
      const s = await addon.tensorStats({ dtype, shape, data }, { reference });
      const f = await addon.tensorStats({ dtype: 'F32', shape, data: decoded }, { reference });
      expect(s.count).toBe(decoded.length);
      expect([s.min, s.max, s.mean, s.std, s.kurtosis]).toEqual([f.min, f.max, f.mean, f.std, f.kurtosis]);
      expect(Array.from(s.histogram)).toEqual(Array.from(f.histogram));
      expect(Array.from(s.channelAbsmax)).toEqual(Array.from(f.channelAbsmax));
    }
  }

  it('Q8_0 (rows longer than one stats segment)', async () => {
    const shape = [6, 40960];
    const q = new Uint8Array(await addon.ggufQuantize({ dtype: 'F32', shape, data: gaussian(6 * 40960, 4, 0.02) }, 'Q8_0'));
    await statsMatchDecoded('Q8_0', shape, q);
  });

  it('Q4_K (blocks written by ggml)', async () => {
    const v = JSON.parse(readFileSync('tests/fixtures/gguf-blocks/ggml-vectors.json', 'utf8'));
    const k = v.kquants.find((e: { type: string }) => e.type === 'Q4_K');
    const blob = readFileSync('tests/fixtures/gguf-blocks/ggml-vectors.bin');
    const data = new Uint8Array(blob.subarray(k.offset, k.offset + k.byteLength));
    await statsMatchDecoded('Q4_K', [4, 512], data);
  });

  it('refuses a block tensor whose rows are not whole blocks', () => {
    expect(() => addon.tensorStats({ dtype: 'Q8_0', shape: [2, 48], data: new Uint8Array(102) })).toThrow(/48 elements are not a multiple of the Q8_0 block of 32/);
  });
});
