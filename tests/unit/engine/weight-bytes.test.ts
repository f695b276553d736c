// Weight bytes read per generated token, per stored format (what the speed
// benchmark's bandwidth bound and the Compare screen show): every linear layer
// and the head, counted from the layout each kernel holds — codes as held,
// plus float scales/zero points/absmax, masks for 2:4. Checked on a small
// synthetic Llama built by the same code as the benchmark's; each model
// must also run and give finite logits.
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_FORMATS, syntheticModel, type SyntheticFormat } from '../../../electron/studio/engine/synthetic-model.js';

const dims = { hidden: 128, intermediate: 384, heads: 4, kvHeads: 2, headDim: 32, vocab: 96 };
const layers = 2;
const Q = dims.heads * dims.headDim, KV = dims.kvHeads * dims.headDim;
const MATS: [number, number][] = [[Q, 128], [KV, 128], [KV, 128], [128, Q], [384, 128], [384, 128], [128, 384]];

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
  NF4: (r, c) => r * c16(c) + (r * c / 64) * 4,
  'NF4+DQ': (r, c) => r * c16(c) + (r * c / 64) * 4, // absmax decoded to F32 at load
  '2:4': (r, c) => r * (c / 2) * 2 + r * Math.ceil(c / 8), // F16 values and the bitmask
  'LLM.int8': (r, c, head) => (head ? r * c * 4 : r * c + r * 4), // int8 codes + F32 row scale; the head stays F32
};

describe('weight bytes per token, per stored format', () => {
  for (const format of SYNTHETIC_FORMATS)
    it(format, async () => {
      const m = await syntheticModel(format, { layers, dims: dims as never });
      try {
        const f = PER_MATRIX[format];
        const want = layers * MATS.reduce((a, [r, c]) => a + f(r, c, false), 0) + f(dims.vocab, dims.hidden, true);
        expect(m.info().bytesPerToken).toBe(want);
        const s = m.createSession(8);
        const r = await s.eval([1, 2, 3]);
        s.dispose();
        expect(r.logits.every(Number.isFinite)).toBe(true);
      } finally {
        m.dispose();
      }
    });
});
