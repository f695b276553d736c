// GGUF blocks against the real peer: bytes llama.cpp wrote (stories260K files
// in tests/fixtures, every tensor of them when ../shared is present) and
// vectors computed by ggml's own reference functions (ggml-vectors.*).
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import '../../../electron/studio/quant/gguf.js';
import type { GgufQuantType } from '../../../electron/studio/quant/gguf.js';
import { native, type NativeTensor } from '../../../electron/studio/native/addon.js';
import { f32ToF16 } from './gguf-spec-reference.js';

const addon = native();
afterEach(() => {
  addon.setSimd(true);
  addon.setThreads(0);
});

const FIX = 'tests/fixtures/gguf-blocks';

/** Tensor bytes of a safetensors file by name (F32 only here). */
function safetensors(path: string): (name: string) => Float32Array {
  const b = readFileSync(path);
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  return (name) => {
    const [s, e] = header[name].data_offsets as [number, number];
    return new Float32Array(b.buffer.slice(b.byteOffset + 8 + n + s, b.byteOffset + 8 + n + e));
  };
}

const equalBytes = (a: ArrayBuffer | Uint8Array, b: Uint8Array) => Buffer.from(a as ArrayBuffer).equals(Buffer.from(b));

describe('llama.cpp stories260K blocks (fixture)', () => {
  const manifest = JSON.parse(readFileSync(`${FIX}/stories260K-llamacpp.json`, 'utf8'));
  const blob = readFileSync(`${FIX}/${manifest.blocks}`);
  const source = safetensors(manifest.sourceModel);
  for (const t of manifest.tensors as { file: string; tensor: string; type: string; shape: number[]; offset: number; byteLength: number; source: string }[]) {
    const want = blob.subarray(t.offset, t.offset + t.byteLength);
    it(`${t.file} ${t.tensor} (${t.type})`, async () => {
      const x = source(t.source);
      if (t.type === 'F16') {
        // llama.cpp's F16 fallback: plain round-to-nearest-even halves.
        const h = new Uint16Array(x.length).map((_, i) => f32ToF16(x[i]));
        expect(equalBytes(new Uint8Array(h.buffer), want)).toBe(true);
        return;
      }
      const tensor = { dtype: 'F32', shape: t.shape, data: x, name: t.tensor };
      for (const simd of [true, false]) {
        addon.setSimd(simd);
        expect(equalBytes(await addon.ggufQuantize(tensor, t.type as GgufQuantType), want)).toBe(true);
        expect(equalBytes(await addon.ggufQuantize(tensor, t.type as GgufQuantType, { reference: true }), want)).toBe(true);
      }
    });
  }
});

describe('ggml reference vectors (fixture)', () => {
  const v = JSON.parse(readFileSync(`${FIX}/ggml-vectors.json`, 'utf8'));
  const blob = readFileSync(`${FIX}/${v.blocks}`);
  const input = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + v.input.floats * 4));
  for (const q of v.quantized as { type: GgufQuantType; offset: number; byteLength: number }[]) {
    it(`${q.type}: quantize_row_${q.type.toLowerCase()}_ref bytes on every hard case`, async () => {
      const want = blob.subarray(q.offset, q.offset + q.byteLength);
      const t = { dtype: 'F32', shape: [v.input.floats / 32, 32], data: input };
      for (const simd of [true, false]) {
        addon.setSimd(simd);
        const got = new Uint8Array(await addon.ggufQuantize(t, q.type));
        expect(equalBytes(got, want)).toBe(true);
        expect(equalBytes(await addon.ggufQuantize(t, q.type, { reference: true }), want)).toBe(true);
      }
    });
  }
  for (const k of v.kquants as { type: string; offset: number; byteLength: number; floatsOffset: number }[]) {
    it(`${k.type}: dequantize_row_${k.type.toLowerCase()} floats, bit for bit`, async () => {
      const blocks = blob.subarray(k.offset, k.offset + k.byteLength);
      const n = (k.byteLength / { Q2_K: 84, Q3_K: 110, Q4_K: 144, Q5_K: 176, Q6_K: 210, Q8_K: 292 }[k.type]!) * 256;
      const want = blob.subarray(k.floatsOffset, k.floatsOffset + n * 4);
      const t = { dtype: k.type, shape: [n / 256, 256], data: blocks };
      for (const simd of [true, false]) {
        addon.setSimd(simd);
        expect(equalBytes((await addon.ggufDequantize(t)).buffer as ArrayBuffer, want)).toBe(true);
        expect(equalBytes((await addon.ggufDequantize(t, { reference: true })).buffer as ArrayBuffer, want)).toBe(true);
      }
    });
  }
});

// ---- every tensor of the llama.cpp files, when ../shared is there ----

const SHARED = '../shared/models/stories260K/gguf';
const GGML_NAMES: Record<number, string> = { 0: 'F32', 1: 'F16', 6: 'Q5_0', 8: 'Q8_0' };

/** Tensor table of a GGUF v3 file (just enough for this check). */
function ggufTensors(path: string): Map<string, { dtype: string; shape: number[]; offset: number }> {
  const b = readFileSync(path);
  let o = 8;
  const u64 = () => ((o += 8), Number(b.readBigUInt64LE(o - 8)));
  const u32 = () => ((o += 4), b.readUInt32LE(o - 4));
  const str = () => { const n = u64(); o += n; return b.toString('utf8', o - n, o); };
  const size: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
  const skip = (t: number): void => {
    if (t === 8) str();
    else if (t === 9) { const et = u32(), n = u64(); for (let i = 0; i < n; i++) skip(et); }
    else o += size[t];
  };
  const nt = (o = 8, u64()), nkv = u64();
  let align = 32;
  for (let i = 0; i < nkv; i++) {
    const key = str(), t = u32();
    if (key === 'general.alignment') align = b.readUInt32LE(o);
    skip(t);
  }
  const out = new Map<string, { dtype: string; shape: number[]; offset: number }>();
  const raw: [string, number[], number, number][] = [];
  for (let i = 0; i < nt; i++) {
    const name = str(), nd = u32(), ne = Array.from({ length: nd }, u64), t = u32();
    raw.push([name, ne, t, u64()]);
  }
  const base = Math.ceil(o / align) * align;
  for (const [name, ne, t, off] of raw) out.set(name, { dtype: GGML_NAMES[t] ?? `type${t}`, shape: ne.reverse(), offset: base + off });
  return out;
}

describe.skipIf(!existsSync(SHARED))('llama.cpp stories260K files, every Q8_0/Q5_0 tensor (../shared)', () => {
  for (const file of ['stories260K-Q6_K.gguf', 'stories260K-Q4_K_M.gguf']) {
    it(file, async () => {
      const src = new addon.MappedFile(`${SHARED}/stories260K-f32.gguf`);
      const dst = new addon.MappedFile(`${SHARED}/${file}`);
      const f32 = ggufTensors(`${SHARED}/stories260K-f32.gguf`);
      let checked = 0;
      for (const [name, t] of ggufTensors(`${SHARED}/${file}`)) {
        if (t.dtype !== 'Q8_0' && t.dtype !== 'Q5_0') continue;
        const s = f32.get(name)!;
        const numel = s.shape.reduce((a, b) => a * b, 1);
        const input: NativeTensor = { dtype: 'F32', shape: s.shape, name, file: src, offset: s.offset, byteLength: numel * 4 };
        const got = new Uint8Array(await addon.ggufQuantize(input, t.dtype as GgufQuantType));
        const want = dst.read(t.offset, got.length);
        expect({ name, same: equalBytes(got, want) }).toEqual({ name, same: true });
        checked++;
      }
      src.close();
      dst.close();
      expect(checked).toBeGreaterThanOrEqual(20);
    });
  }
});
