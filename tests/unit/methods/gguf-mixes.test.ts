// llama.cpp's mixes: the type of every tensor, per file type, as llama-quantize
// (Feb 2025) chose it on seven model shapes — Llama 32 layers without and with
// GQA, a 70B-like Llama, an 8-expert MoE, GPT-2, Falcon and the sample — recorded by
// scripts/fixtures/gguf-mixes-llamacpp.py; the write order; the switches; and
// where llama-quantize stops, the same stop with a clear message.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeMixFallback, GGML_QUANTIZATION_VERSION, LLAMA_FILE_TYPES, llamaQuantizeOrder, planGgufMix,
  type GgmlTypeName, type LlamaFileType, type MixModel, type MixOptions,
} from '../../../electron/studio/quant/gguf-mixes.js';

interface FixtureRun { label: string; fileTypeId?: number; quantizationVersion?: number; types?: string; error?: string }
interface FixtureModel {
  id: string; architecture: string; layers: number; heads: number; kvHeads: number; experts: number;
  tensors: [string, number[]][]; outputOrder: number[]; runs: FixtureRun[];
}
const fixture = JSON.parse(readFileSync('tests/fixtures/gguf-mixes/llamacpp-mixes.json', 'utf8'));
const decode = Object.fromEntries(Object.entries(fixture.codes as Record<string, string>).map(([t, c]) => [c, t]));

function modelOf(m: FixtureModel): MixModel {
  return {
    architecture: m.architecture, layers: m.layers, heads: m.heads, kvHeads: m.kvHeads, experts: m.experts,
    tensors: m.tensors.map(([name, shape]) => ({ name, shape, dtype: 'F32' })),
  };
}

/** The options a fixture run's label names (the llama-quantize flags it ran with). */
function optionsOf(label: string): MixOptions {
  const [ft, ...flags] = label.split(' ');
  const o: MixOptions = { fileType: (ft === 'Q4_K' ? 'Q4_K_M' : ft) as LlamaFileType };
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === '--pure') o.pure = true;
    else if (flags[i] === '--imatrix') o.hasImatrix = true;
    else if (flags[i] === '--output-tensor-type') o.outputType = flags[++i].toUpperCase() as GgmlTypeName;
    else if (flags[i] === '--token-embedding-type') o.tokenEmbeddingType = flags[++i].toUpperCase() as GgmlTypeName;
  }
  return o;
}

describe('the types llama-quantize chose (fixture)', () => {
  for (const m of fixture.models as FixtureModel[]) {
    const model = modelOf(m);
    it(`${m.id}: tensors in llama-quantize's order`, () => {
      expect(llamaQuantizeOrder(model.tensors).map((t) => t.name)).toEqual(m.outputOrder.map((i) => m.tensors[i][0]));
    });
    for (const run of m.runs) {
      const opts = optionsOf(run.label);
      if (run.error) {
        it(`${m.id} ${run.label}: llama-quantize stops (${run.error}), and so do we — unless a plain type falls back`, () => {
          if (opts.pure) {
            const plan = planGgufMix(model, opts);
            for (const c of plan.tensors.filter((t) => t.fallback)) expect(describeMixFallback(c)).toMatch(/columns not a multiple of/);
            expect(plan.tensors.some((t) => t.fallback)).toBe(true);
          } else {
            expect(() => planGgufMix(model, opts)).toThrow(/columns are not a multiple of the \w+ block/);
          }
        });
        continue;
      }
      it(`${m.id} ${run.label}`, () => {
        const plan = planGgufMix(model, opts);
        expect(plan.fileTypeId).toBe(run.fileTypeId);
        expect(GGML_QUANTIZATION_VERSION).toBe(run.quantizationVersion);
        const want = [...run.types!].map((c) => decode[c]);
        const got = plan.tensors.map((t) => t.type);
        const diff = got.map((t, i) => (t !== want[i] ? `${plan.tensors[i].name}: ${t} (llama.cpp: ${want[i]})` : '')).filter(Boolean);
        expect(diff).toEqual([]);
      });
    }
  }
});

const sample = modelOf((fixture.models as FixtureModel[]).find((m) => m.id === 'stories260K')!);

describe('rules and reports', () => {
  it('reports each fallback of the sample with its reason, and counts them as llama-quantize does', () => {
    const plan = planGgufMix(sample, { fileType: 'Q4_K_M' });
    const down = plan.tensors.find((t) => t.name === 'blk.4.ffn_down.weight')!; // use_more_bits(4, 5): Q6_K
    expect(down).toMatchObject({ type: 'F16', fallback: { wanted: 'Q6_K' } });
    expect(describeMixFallback(down)).toBe('blk.4.ffn_down.weight: 172 columns not a multiple of 256 or 32 → F16 (wanted Q6_K)');
    expect(plan.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')).toMatchObject({ type: 'F16', fallback: { wanted: 'Q4_K' } });
    expect(describeMixFallback(plan.tensors.find((t) => t.name === 'blk.1.attn_q.weight')!)).toBe('blk.1.attn_q.weight: 64 columns not a multiple of 256 → Q5_0 (wanted Q4_K)');
    expect(plan.fallbacks + plan.kQuantized).toBe(plan.tensors.filter((t) => t.quantized && t.name !== 'output.weight').length + 1);
    expect(plan.tensors.find((t) => t.name === 'blk.0.attn_norm.weight')).toMatchObject({ type: 'F32', quantized: false });
  });

  it('plain types (--pure) put every tensor that can hold the type in it; the others fall back', () => {
    const plan = planGgufMix(modelOf((fixture.models as FixtureModel[]).find((m) => m.id === 'llama-32L-gqa4')!), { fileType: 'Q4_K_M', pure: true });
    expect(new Set(plan.tensors.filter((t) => t.quantized).map((t) => t.type))).toEqual(new Set(['Q4_K']));
    const s = planGgufMix(sample, { fileType: 'Q2_K', pure: true });
    expect(s.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')).toMatchObject({ type: 'F16', fallback: { wanted: 'Q2_K' } });
    expect(s.tensors.find((t) => t.name === 'blk.0.attn_q.weight')).toMatchObject({ type: 'IQ4_NL', fallback: { wanted: 'Q2_K' } });
  });

  it('--tensor-type overrides after the rules (regex searched in the name, last match wins), not where a fallback was needed', () => {
    const llama = modelOf((fixture.models as FixtureModel[]).find((m) => m.id === 'llama-32L')!);
    const plan = planGgufMix(llama, { fileType: 'Q4_K_M', tensorTypes: [{ pattern: 'ATTN_V', type: 'Q8_0' }, { pattern: 'blk\\.1\\.attn_v', type: 'Q5_K' }] });
    expect(plan.tensors.find((t) => t.name === 'blk.0.attn_v.weight')).toMatchObject({ type: 'Q8_0', override: 'ATTN_V' });
    expect(plan.tensors.find((t) => t.name === 'blk.1.attn_v.weight')).toMatchObject({ type: 'Q5_K', override: 'blk\\.1\\.attn_v' });
    const s = planGgufMix(sample, { fileType: 'Q4_K_M', tensorTypes: [{ pattern: 'ffn_down', type: 'Q8_0' }] });
    expect(s.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')).toMatchObject({ type: 'F16' });
  });

  it('--leave-output-tensor copies output.weight; file type ids are llama.cpp\'s', () => {
    const llama = modelOf((fixture.models as FixtureModel[]).find((m) => m.id === 'llama-32L')!);
    expect(planGgufMix(llama, { fileType: 'Q5_K_S', leaveOutput: true }).tensors.find((t) => t.name === 'output.weight')).toMatchObject({ type: 'F32', quantized: false });
    expect([LLAMA_FILE_TYPES.Q4_K_M.id, LLAMA_FILE_TYPES.IQ4_XS.id, LLAMA_FILE_TYPES.Q2_K.id]).toEqual([15, 30, 10]);
  });

  it('refuses what llama-quantize refuses, naming the tensor', () => {
    expect(() => planGgufMix(sample, { fileType: 'IQ4_NL' })).toThrow(/blk\.0\.ffn_down\.weight: 172 columns are not a multiple of the IQ4_NL block of 32, and llama\.cpp has no fallback/);
    expect(() => planGgufMix(sample, { fileType: 'Q4_K_M', tokenEmbeddingType: 'Q5_K' })).toThrow(/token_embd\.weight: 64 columns are not a multiple of the Q5_K block of 256/);
    const broken = { ...sample, tensors: sample.tensors.filter((t) => t.name !== 'blk.3.attn_v.weight') };
    expect(() => planGgufMix(broken, { fileType: 'Q4_K_M' })).toThrow(/4 attention value tensors for 5 attention layers/);
    const moe = modelOf((fixture.models as FixtureModel[]).find((m) => m.id === 'moe-8x')!);
    const odd = { ...moe, tensors: [...moe.tensors, { name: 'mystery.ffn_down_exps.weight', shape: [8, 256, 256], dtype: 'F32' }] };
    expect(() => planGgufMix(odd, { fileType: 'Q4_K_M' })).toThrow(/Failed to determine layer for tensor mystery\.ffn_down_exps\.weight/);
  });
});
