// The inspector on compressed checkpoints: the bundled sample written by our own
// exporters as int8 / int4 (sym, asym) pack-quantized, NF4 + double quant, FP4
// and 2:4 sparse, and by hand as int-quantized, shows one logical row per layer
// whose numbers are those of the weights the engine multiplies by (decoded here
// independently by tests/helpers/dequantize-stored.ts); a malformed layer gives
// an error row naming its file and tensor and the rest of the table still fills.
import { readFileSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TensorStatsRow } from '../../../electron/common/contract.js';
import { StudioError } from '../../../electron/common/errors.js';
import { inspectModel, tensorDetail } from '../../../electron/studio/service/inspect-calls.js';
import { ModelRegistry } from '../../../electron/studio/service/model-registry.js';
import { summarizeModel } from '../../../electron/studio/inspect/model-summary.js';
import { compressModel, ggufExportRecipe } from '../../../electron/studio/compress/index.js';
import { EngineLinear } from '../../../electron/studio/engine/linear.js';
import { storeLinear } from '../../../electron/studio/engine/stored-linear.js';
import { engineTensorName } from '../../../electron/studio/engine/tensor-names.js';
import { tensorStats } from '../../../electron/studio/inspect/tensor-stats.js';
import type { JobContext } from '../../../electron/studio/service/job-manager.js';
import { openModel } from '../../../electron/studio/models/open-model.js';
import type { OpenedModel } from '../../../electron/studio/models/types.js';
import type { NativeTensor } from '../../../electron/studio/native/addon.js';
import { parseRecipe } from '../../../electron/studio/recipes/index.js';
import { dequantizedEngineTensors } from '../../helpers/dequantize-stored.js';
import { tempDir } from '../../helpers/temp-dir.js';

const SAMPLE = 'resources/sample/stories260K';
const work = tempDir('inspect-stored');
const registry = new ModelRegistry(openModel);
const base = await registry.open(SAMPLE);

function context(signal = new AbortController().signal) {
  const items: TensorStatsRow[] = [];
  const logs: string[] = [];
  const ctx: JobContext<'inspect'> = { jobId: 'test', signal, progress: () => {}, log: (level, m) => logs.push(`${level}: ${m}`), item: (r) => items.push(r) };
  return { ctx, items, logs };
}

const baseRows = new Map((await inspectModel(registry, base.modelId, context().ctx)).rows.map((r) => [r.name, r]));

/** The stats kernel sums the fourth moment over threads in the order they finish: the last bits may differ. */
const expectKurtosis = (got: number, want: number, name: string) => expect(Math.abs(got - want), name).toBeLessThanOrEqual(1e-12 * want);

/** The engine's float32 weights of a stored model, by Hugging Face name. */
async function engineWeights(m: OpenedModel): Promise<(name: string) => Float32Array | undefined> {
  const deq = await dequantizedEngineTensors(m);
  return (name) => {
    const e = engineTensorName(name, m.config);
    const t = e ? (deq[e] as { data?: Float32Array } | undefined) : undefined;
    return t?.data instanceof Float32Array ? t.data : undefined;
  };
}

interface Case {
  name: string;
  dir: string;
  recipe: unknown;
  /** Label of model.layers.0.self_attn.q_proj.weight, and the header's words. */
  label: string;
  header: string;
  /** Largest relative change of a layer's std from the F32 original. */
  stdChange: number;
}

const CASES: Case[] = [
  { name: 'int8 per-channel', dir: 'int8', recipe: { quantize: { method: 'rtn', bits: 8, granularity: 'channel' } }, label: 'int8 channel sym', header: 'compressed-tensors · pack-quantized int8 channel sym', stdChange: 0.002 },
  { name: 'int4 g32', dir: 'int4', recipe: { quantize: { method: 'rtn', bits: 4, granularity: 'group', group: 32 } }, label: 'int4 g32 sym', header: 'compressed-tensors · pack-quantized int4 g32 sym', stdChange: 0.02 },
  { name: 'int4 g32 asymmetric', dir: 'int4-asym', recipe: { quantize: { method: 'rtn', bits: 4, scheme: 'asym', granularity: 'group', group: 32 } }, label: 'int4 g32 asym', header: 'compressed-tensors · pack-quantized int4 g32 asym', stdChange: 0.02 },
  { name: 'NF4 + double quant', dir: 'nf4', recipe: { quantize: { method: 'nf4', doubleQuant: true } }, label: 'nf4 b64 dq', header: 'bitsandbytes · nf4 + double quant', stdChange: 0.03 },
  { name: 'FP4', dir: 'fp4', recipe: { quantize: { method: 'fp4' } }, label: 'fp4 b64', header: 'bitsandbytes · fp4', stdChange: 0.03 },
  { name: '2:4 sparse', dir: 'sparse', recipe: { prune: { method: 'nm', n: 2, m: 4 } }, label: '2:4 F32', header: 'compressed-tensors · sparse-24-bitmask 2:4', stdChange: 0.2 },
];

describe('inspecting compressed checkpoints of the sample', () => {
  for (const c of CASES)
    it(c.name, async () => {
      const target = join(work, c.dir);
      await compressModel(registry.get(base.modelId), parseRecipe(c.recipe), target);
      const { modelId, model } = await registry.open(target);
      const summary = summarizeModel(modelId, model);
      expect(summary.storedQuantization).toBe(c.header);
      const logical = summary.logicalTensors!;
      // One row per tensor of the original model, under its name and shape.
      const original = registry.get(base.modelId).tensors;
      expect(logical.map((t) => [t.name, t.shape])).toEqual(original.map((t) => [t.name, t.shape]));
      const q = logical.find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight')!;
      expect(q.dtype).toBe(c.label);
      expect(q.linear).toBe(true);
      expect(q.bytes).toBe(q.parts!.reduce((a, p) => a + p.bytes, 0));
      expect(q.parts!.length).toBeGreaterThan(1);
      expect(q.storedError).toBeUndefined();

      const { ctx, items } = context();
      const { rows } = await inspectModel(registry, modelId, ctx);
      expect(rows.map((r) => r.name)).toEqual(original.map((t) => t.name));
      expect(items).toEqual(rows);
      const weights = await engineWeights(model);
      let stored = 0;
      for (const t of logical.filter((x) => x.parts)) {
        stored++;
        const w = weights(t.name)!;
        expect(w, t.name).toBeDefined();
        const want = await tensorStats({ dtype: 'F32', shape: t.shape, data: w }, { bins: 8, perChannel: false });
        const r = rows.find((x) => x.name === t.name)!;
        expect(r.error).toBeUndefined();
        expect([r.count, r.mean, r.std, r.min, r.max, r.absmax, r.zeros, r.outlierShare], t.name).toEqual([want.count, want.mean, want.std, want.min, want.max, want.absmax, want.zeros, want.outlierShare]);
        expectKurtosis(r.kurtosis, want.kurtosis, t.name);
        const before = baseRows.get(t.name)!;
        expect(Math.abs(r.std / before.std - 1), t.name).toBeLessThan(c.stdChange);
        if (c.dir === 'sparse') expect(r.zeros, t.name).toBeGreaterThanOrEqual(r.count / 2);
      }
      expect(stored).toBeGreaterThanOrEqual(20);

      // The charts of one layer: histogram and per-channel absmax of the dequantized weights.
      const d = await tensorDetail(registry, modelId, 'model.layers.1.mlp.up_proj.weight', 96);
      const w = weights('model.layers.1.mlp.up_proj.weight')!;
      const want = await tensorStats({ dtype: 'F32', shape: [172, 64], data: w }, { bins: 96, perChannel: true });
      expect(d.histogram).toEqual({ lo: want.histLo, hi: want.histHi, counts: Array.from(want.histogram) });
      expect(d.channelAbsmax).toEqual({ values: Array.from(want.channelAbsmax), rowsPerPoint: 1 });
      expect(d.stats.absmax).toBe(want.absmax);
      registry.close(modelId);
    });
});

/** Rewrites a safetensors header in place (same length, padded with spaces). */
function editHeader(file: string, edit: (h: Record<string, unknown>) => void): void {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  edit(header);
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  if (json.length > n) throw new Error('edited header is longer');
  bytes.fill(0x20, 8, 8 + n);
  json.copy(bytes, 8);
  writeFileSync(file, bytes);
}

describe('models without compressed layers', () => {
  it('plain float: no logical list, no stored quantization', () => {
    const s = summarizeModel(base.modelId, registry.get(base.modelId));
    expect(s.logicalTensors).toBeUndefined();
    expect(s.storedQuantization).toBeUndefined();
  });

  it('GGUF blocks stay as stored (the stats kernel decodes them); the header names the file type', async () => {
    const target = join(work, 'q8_0.gguf');
    await compressModel(registry.get(base.modelId), ggufExportRecipe('q8_0'), target);
    const { modelId, model } = await registry.open(target);
    const s = summarizeModel(modelId, model);
    expect(s.logicalTensors).toBeUndefined();
    expect(s.storedQuantization).toMatch(/^GGUF · .*Q8_0/);
    const { rows } = await inspectModel(registry, modelId, context().ctx);
    expect(rows.map((r) => r.name)).toEqual(model.tensors.map((t) => t.name));
    registry.close(modelId);
  });
});

describe('a malformed compressed layer', () => {
  it('gives an error row naming the file and tensor; every other row is computed', async () => {
    const dir = join(work, 'broken');
    cpSync(join(work, 'int4'), dir, { recursive: true });
    const file = join(dir, 'model.safetensors');
    editHeader(file, (h) => {
      // A scale of the wrong shape (same bytes), and a layer whose scale is gone.
      (h['model.layers.0.self_attn.q_proj.weight_scale'] as { shape: number[] }).shape = [32, 4];
      h['gone'] = h['model.layers.2.self_attn.k_proj.weight_scale'];
      delete h['model.layers.2.self_attn.k_proj.weight_scale'];
    });
    const { modelId, model } = await registry.open(dir);
    const logical = summarizeModel(modelId, model).logicalTensors!;
    expect(logical.find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight')!.storedError).toMatch(/weight_scale' has shape \[32, 4\], expected \[64, groups\]/);
    const { ctx, logs } = context();
    const { rows } = await inspectModel(registry, modelId, ctx);
    const q = rows.find((r) => r.name === 'model.layers.0.self_attn.q_proj.weight')!;
    expect(q.error).toMatchObject({ file, tensor: 'model.layers.0.self_attn.q_proj.weight_scale' });
    expect(q.error!.message).toContain(file);
    const k = rows.find((r) => r.name === 'model.layers.2.self_attn.k_proj.weight')!;
    expect(k.error).toMatchObject({ file, tensor: 'model.layers.2.self_attn.k_proj.weight_scale' });
    expect(k.error!.message).toMatch(/has no 'weight_scale' tensor/);
    expect(rows.filter((r) => r.error)).toHaveLength(2);
    expect(rows.filter((r) => !r.error && r.count > 0).length).toBe(rows.length - 2);
    expect(logs.filter((l) => l.startsWith('error:'))).toHaveLength(2);
    const detail = tensorDetail(registry, modelId, 'model.layers.0.self_attn.q_proj.weight');
    await expect(detail).rejects.toBeInstanceOf(StudioError);
    await expect(detail).rejects.toMatchObject({ code: 'BAD_FILE', file, tensor: 'model.layers.0.self_attn.q_proj.weight_scale' });
    registry.close(modelId);
  });

  it('a cancelled inspection stops with CANCELLED', async () => {
    const { modelId } = await registry.open(join(work, 'nf4'));
    const abort = new AbortController();
    abort.abort();
    await expect(inspectModel(registry, modelId, context(abort.signal).ctx)).rejects.toMatchObject({ code: 'CANCELLED' });
    registry.close(modelId);
  });
});

describe('int-quantized (int8 codes stored as weight + weight_scale)', () => {
  it('shows the logical rows with the dequantized numbers', async () => {
    const dir = join(work, 'int-quantized');
    mkdirSync(dir);
    const m = registry.get(base.modelId);
    const header: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    let offset = 0;
    const put = (name: string, t: NativeTensor) => {
      const d = (t as { data: ArrayBufferView }).data;
      header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + d.byteLength] };
      chunks.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
      offset += d.byteLength;
    };
    const expected = new Map<string, Float32Array>();
    const asymmetric: string[] = [];
    const src = registry.data(base.modelId);
    for (const t of m.tensors) {
      const w = new Float32Array(src.bytes(t).buffer.slice(0));
      if (!/_proj\.weight$/.test(t.name)) {
        put(t.name, { dtype: 'F32', shape: t.shape, data: w });
        continue;
      }
      // Alternate the layouts: per channel symmetric, and groups of 32 (or 4 for down_proj's 172) asymmetric.
      const asym = expected.size % 2 === 1;
      const s = await storeLinear(w, t.shape[0], t.shape[1], asym ? { kind: 'int8', symmetric: false, granularity: 'group', groupSize: t.shape[1] % 32 ? 4 : 32 } : { kind: 'int8' });
      expected.set(t.name, s.dequantized);
      if (asym) asymmetric.push(t.name);
      put(t.name, s.weight!);
      for (const [role, x] of Object.entries(s.extra)) put(t.name.replace(/weight$/, role), x);
    }
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(join(dir, 'model.safetensors'), Buffer.concat([len, json, ...chunks]));
    const config = JSON.parse(readFileSync(join(SAMPLE, 'config.json'), 'utf8'));
    config.quantization_config = { quant_method: 'compressed-tensors', format: 'int-quantized', config_groups: { group_0: { targets: ['Linear'], weights: { num_bits: 8, type: 'int', symmetric: true, strategy: 'channel' }, format: 'int-quantized' } } };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    cpSync(join(SAMPLE, 'tokenizer.json'), join(dir, 'tokenizer.json'));

    const { modelId, model } = await registry.open(dir);
    const logical = summarizeModel(modelId, model).logicalTensors!;
    expect(logical.map((t) => t.name)).toEqual(m.tensors.map((t) => t.name));
    const labels = new Set(logical.filter((t) => t.parts).map((t) => t.dtype));
    expect([...labels].sort()).toEqual(['int8 channel sym', 'int8 g32 asym', 'int8 g4 asym']);
    const { rows } = await inspectModel(registry, modelId, context().ctx);
    for (const [name, w] of expected) {
      const t = m.tensors.find((x) => x.name === name)!;
      const want = await tensorStats({ dtype: 'F32', shape: t.shape, data: w }, { bins: 8, perChannel: false });
      const r = rows.find((x) => x.name === name)!;
      expect([r.mean, r.std, r.absmax], name).toEqual([want.mean, want.std, want.absmax]);
      expectKurtosis(r.kurtosis, want.kurtosis, name);
    }
    // What the engine multiplies by: an int-quantized layer applied to the identity gives back its weights.
    const name = asymmetric.find((n) => n.endsWith('o_proj.weight'))!;
    const data = registry.data(modelId);
    const part = (role: string) => data.get(name.replace(/weight$/, role));
    const extra = Object.fromEntries(['weight_scale', 'weight_zero_point'].filter((r) => data.has(name.replace(/weight$/, r))).map((r) => [r, part(r)]));
    const layer = await EngineLinear.create(data.get(name), { extra, name });
    const eye = new Float32Array(64 * 64).map((_, i) => (i % 65 === 0 ? 1 : 0));
    const wt = await layer.forward(eye, 64); // [in, out] = Wᵀ
    const w = expected.get(name)!;
    let maxDiff = 0;
    for (let r = 0; r < 64; r++) for (let c = 0; c < 64; c++) maxDiff = Math.max(maxDiff, Math.abs(wt[c * 64 + r] - w[r * 64 + c]));
    expect(maxDiff).toBeLessThan(1e-6);
    expect(Object.keys(extra)).toEqual(['weight_scale', 'weight_zero_point']);
    registry.close(modelId);
  });
});
