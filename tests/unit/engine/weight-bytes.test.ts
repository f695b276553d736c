// Weight bytes read per generated token, per stored format (what the speed
// benchmark's bandwidth bound and the Compare screen show): every linear layer
// and the head, counted from the layout each kernel holds — codes as held,
// plus float scales/zero points/absmax, masks for 2:4. Checked on a small
// synthetic Llama built by the same code as the benchmark's; each model
// must also run and give finite logits.
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_FORMATS, syntheticModel, type SyntheticFormat } from '../../../electron/studio/engine/synthetic-model.js';

const layers = 2;
/** Small shapes; k-quants need rows that are whole super-blocks of 256. */
function shapes(format: SyntheticFormat) {
  const k = /_K$|^IQ4_XS$/.test(format);
  const dims = k ? { hidden: 256, intermediate: 512, heads: 4, kvHeads: 2, headDim: 64, vocab: 96 }
    : { hidden: 128, intermediate: 384, heads: 4, kvHeads: 2, headDim: 32, vocab: 96 };
  const H = dims.hidden, I = dims.intermediate, Q = dims.heads * dims.headDim, KV = dims.kvHeads * dims.headDim;
  const mats: [number, number][] = [[Q, H], [KV, H], [KV, H], [H, Q], [I, H], [I, H], [H, I]];
  return { dims, mats };
}

const c16 = (k: number) => Math.ceil(k / 16) * 8;
const PER_MATRIX: Record<SyntheticFormat, (rows: number, cols: number, head: boolean) => number> = {
  F32: (r, c) => r * c * 4,
  F16: (r, c) => r * c * 2,
  BF16: (r, c) => r * c * 2,
  W8A16: (r, c) => r * Math.ceil(c / 4) * 4 + r * 4, // int32 words of 4 codes, an F32 scale per row
  W4A16: (r, c) => r * c16(c) + r * (c / 128) * 4 + (c % 128 ? NaN : 0), // 4-bit codes, an F32 scale per 128
  Q8_0: (r, c) => (r * c / 32) * 34,
  Q4_0: (r, c) => (r * c / 32) * 18,
  Q4_1: (r, c) => (r * c / 32) * 20,
  Q5_0: (r, c) => (r * c / 32) * 22,
  Q5_1: (r, c) => (r * c / 32) * 24,
  Q2_K: (r, c) => (r * c / 256) * 84,
  Q3_K: (r, c) => (r * c / 256) * 110,
  Q4_K: (r, c) => (r * c / 256) * 144,
  Q5_K: (r, c) => (r * c / 256) * 176,
  Q6_K: (r, c) => (r * c / 256) * 210,
  IQ4_NL: (r, c) => (r * c / 32) * 18,
  IQ4_XS: (r, c) => (r * c / 256) * 136,
  NF4: (r, c) => r * c16(c) + (r * c / 64) * 4,
  'NF4+DQ': (r, c) => r * c16(c) + (r * c / 64) * 4, // absmax decoded to F32 at load
  '2:4': (r, c) => r * (c / 2) * 2 + r * Math.ceil(c / 8), // F16 values and the bitmask
  'LLM.int8': (r, c, head) => (head ? r * c * 4 : r * c + r * 4), // int8 codes + F32 row scale; the head stays F32
};

describe('weight bytes per token, per stored format', () => {
  for (const format of SYNTHETIC_FORMATS)
    it(format, async () => {
      const { dims, mats } = shapes(format);
      const m = await syntheticModel(format, { layers, dims: dims as never });
      try {
        const f = PER_MATRIX[format];
        const want = layers * mats.reduce((a, [r, c]) => a + f(r, c, false), 0) + f(dims.vocab, dims.hidden, true);
        expect(m.info().bytesPerToken).toBe(want);
        const s = m.createSession(8);
        const r = await s.eval([1, 2, 3]);
        s.dispose();
        expect(r.logits.every(Number.isFinite)).toBe(true);
        if (/_K$|^IQ4/.test(format)) expect(m.describe()).toMatch(/^gguf_k /);
      } finally {
        m.dispose();
      }
    });
});
