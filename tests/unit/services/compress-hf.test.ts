import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compressToHfFolder } from '../../../electron/studio/compress/compress-hf.js';
import { parseRecipe, planRecipe } from '../../../electron/studio/recipes/index.js';
import { openModel, openTensorData } from '../../../electron/studio/models/index.js';
import { readSafetensors } from '../../helpers/read-safetensors.js';
import { tempDir } from '../../helpers/temp-dir.js';

const model = await openModel('resources/sample/stories260K');
const data = openTensorData(model);
const work = tempDir('compress');
afterAll(() => data.close());

async function run(recipeDoc: unknown, name: string, opts: Parameters<typeof compressToHfFolder>[5] = {}) {
  const recipe = parseRecipe(recipeDoc);
  const out = join(work, name);
  const report = await compressToHfFolder(model, recipe, planRecipe(recipe, model.tensors), data, out, opts);
  return { out, report, st: readSafetensors(join(out, 'model.safetensors')), config: JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) };
}

const original = (name: string) => {
  const e = model.tensors.find((t) => t.name === name)!;
  const b = readFileSync(e.file).subarray(e.offset, e.offset + e.byteLength);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** Dense b-bit unpacking written from compressed-tensors' definition: code i at bit i·b of the row. */
function unpackRow(words: Int32Array, cols: number, bits: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < cols; i++) {
    let v = 0;
    for (let k = 0; k < bits; k++) {
      const bit = i * bits + k;
      v |= ((words[bit >> 5] >>> (bit & 31)) & 1) << k;
    }
    out.push(v - (1 << (bits - 1)));
  }
  return out;
}

describe('compress to compressed-tensors', () => {
  it('int4 g32: packed codes, scales and shape per layer; down_proj (172 wide) kept and ignored', async () => {
    const streamed: string[] = [];
    const { out, report, st, config } = await run({ quantize: { method: 'rtn', bits: 4, granularity: 'group', group: 32 } }, 'int4-g32', {
      onTensor: (o) => streamed.push(o.name),
    });
    expect(streamed).toEqual(report.tensors.map((t) => t.name));
    const qc = config.quantization_config;
    expect(qc).toMatchObject({ quant_method: 'compressed-tensors', format: 'pack-quantized', quantization_status: 'compressed' });
    expect(qc.config_groups.group_0.weights).toMatchObject({ num_bits: 4, symmetric: true, strategy: 'group', group_size: 32, type: 'int' });
    expect(qc.ignore).toEqual([...[0, 1, 2, 3, 4].map((i) => `model.layers.${i}.mlp.down_proj`), 'lm_head']);
    expect(readdirSync(out).sort()).toEqual(['compression_report.json', 'config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);

    const p = 'model.layers.0.self_attn.q_proj';
    expect(st.tensors.get(`${p}.weight_packed`)).toMatchObject({ dtype: 'I32', shape: [64, 8] });
    expect(st.tensors.get(`${p}.weight_scale`)).toMatchObject({ dtype: 'F32', shape: [64, 2] });
    const shape = st.tensors.get(`${p}.weight_shape`)!;
    expect(Array.from(new BigInt64Array(shape.bytes.buffer.slice(shape.bytes.byteOffset, shape.bytes.byteOffset + 16)), Number)).toEqual([64, 64]);
    expect(st.tensors.has(`${p}.weight`)).toBe(false);
    expect(st.tensors.get('model.layers.0.mlp.down_proj.weight')).toMatchObject({ dtype: 'F32', shape: [64, 172] });
    expect(st.metadata.mcs_recipe).toContain('"bits":4');

    // Dequantize from the stored bytes alone and compare with the original weights.
    const packed = st.tensors.get(`${p}.weight_packed`)!.bytes, scaleBytes = st.tensors.get(`${p}.weight_scale`)!.bytes;
    const words = new Int32Array(packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.length));
    const scales = new Float32Array(scaleBytes.buffer.slice(scaleBytes.byteOffset, scaleBytes.byteOffset + scaleBytes.length));
    const w = original(`${p}.weight`);
    let sse = 0, ss = 0;
    for (let r = 0; r < 64; r++) {
      const codes = unpackRow(words.subarray(r * 8, r * 8 + 8), 64, 4);
      for (let c = 0; c < 64; c++) {
        const s = scales[r * 2 + (c >> 5)], x = w[r * 64 + c], xhat = codes[c] * s;
        expect(codes[c]).toBeGreaterThanOrEqual(-8);
        expect(codes[c]).toBeLessThanOrEqual(7);
        expect(Math.abs(x - xhat)).toBeLessThanOrEqual(s / 2 + 1e-7);
        sse += (x - xhat) ** 2;
        ss += x * x;
      }
    }
    const q0 = report.tensors.find((t) => t.name === `${p}.weight`)!;
    expect(q0.kind).toBe('quantized');
    expect(q0.action).toBe('int4 g32 sym');
    expect(q0.metrics!.snrDb).toBeCloseTo(10 * Math.log10(ss / sse), 4);
    expect(q0.histBefore!.counts.reduce((a, b) => a + b, 0)).toBe(4096);
    expect(q0.histAfter!.lo).toBe(q0.histBefore!.lo);
    expect(report.tensors.filter((t) => t.kind === 'quantized')).toHaveLength(30);
    expect(report.skipped).toHaveLength(5);
    expect(report.bytesAfter).toBeLessThan(report.bytesBefore);
    expect(report.bitsPerWeightAfter).toBeCloseTo(4 + 32 / 32, 1);
  });

  it('int8 asymmetric per channel packs zero points along the output rows', async () => {
    const { st, config } = await run({ quantize: { method: 'rtn', bits: 8, scheme: 'asym', granularity: 'channel' } }, 'int8-asym');
    const p = 'model.layers.1.mlp.up_proj';
    expect(st.tensors.get(`${p}.weight_packed`)).toMatchObject({ shape: [172, 16] });
    expect(st.tensors.get(`${p}.weight_scale`)).toMatchObject({ shape: [172, 1] });
    expect(st.tensors.get(`${p}.weight_zero_point`)).toMatchObject({ dtype: 'I32', shape: [43, 1] }); // ceil(172·8/32)
    expect(config.quantization_config.config_groups.group_0.weights).toMatchObject({ num_bits: 8, symmetric: false, strategy: 'channel' });
    expect(config.quantization_config.ignore).toEqual(['lm_head']);
  });

  it('mixed rules become one config group per scheme, targets by module name', async () => {
    const { config } = await run(
      { quantize: { method: 'rtn', bits: 4, granularity: 'group', group: 64 }, rules: [{ match: 'down_proj', quantize: { method: 'rtn', bits: 8, granularity: 'channel' } }] },
      'mixed',
    );
    const groups = Object.values(config.quantization_config.config_groups) as { targets: string[]; weights: { num_bits: number } }[];
    expect(groups).toHaveLength(2);
    const eight = groups.find((g) => g.weights.num_bits === 8)!;
    expect(eight.targets).toEqual([0, 1, 2, 3, 4].map((i) => `model.layers.${i}.mlp.down_proj`));
  });

  it('2:4 pruning is stored as sparse-24 bitmask with at most 2 of every 4 kept', async () => {
    const { st, config, report } = await run({ prune: { method: 'nm', n: 2, m: 4 } }, 'sparse24');
    const p = 'model.layers.2.mlp.gate_proj';
    expect(st.tensors.get(`${p}.compressed`)).toMatchObject({ dtype: 'F32', shape: [172, 32] });
    expect(st.tensors.get(`${p}.bitmask`)).toMatchObject({ dtype: 'U8', shape: [172, 8] });
    const mask = st.tensors.get(`${p}.bitmask`)!.bytes;
    for (let r = 0; r < 172; r++)
      for (let g = 0; g < 16; g++) {
        const nib = (mask[r * 8 + (g >> 1)] >> ((g & 1) * 4)) & 15;
        expect([0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4][nib]).toBeLessThanOrEqual(2);
      }
    expect(config.quantization_config.sparsity_config).toMatchObject({ format: 'sparse-24-bitmask', sparsity_structure: '2:4' });
    const t = report.tensors.find((o) => o.name === `${p}.weight`)!;
    expect(t.sparsity).toBeGreaterThanOrEqual(0.5);
    expect(t.kind).toBe('pruned');
  });

  it('cancel stops the run and leaves neither the output nor a temporary folder', async () => {
    const controller = new AbortController();
    const recipe = parseRecipe({ quantize: { method: 'rtn', bits: 4, granularity: 'channel' } });
    const out = join(work, 'cancelled');
    let seen = 0;
    const runP = compressToHfFolder(model, recipe, planRecipe(recipe, model.tensors), data, out, {
      signal: controller.signal,
      onProgress: (p) => { if (p.stage === 'compress' && ++seen === 5) controller.abort(); },
    });
    await expect(runP).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('cancelled'))).toEqual([]);
  });

  it('refuses to overwrite an existing output unless asked', async () => {
    await run({ quantize: { method: 'rtn', bits: 8 } }, 'again');
    await expect(run({ quantize: { method: 'rtn', bits: 8 } }, 'again')).rejects.toThrow(/already exists/);
    const r = await run({ quantize: { method: 'rtn', bits: 4 } }, 'again', { overwrite: true });
    expect(r.config.quantization_config.config_groups.group_0.weights.num_bits).toBe(4);
  });
});

describe('compress to bitsandbytes', () => {
  it('NF4 + double quant writes the transformers bnb-4bit layout', async () => {
    const { st, config, report } = await run({ quantize: { method: 'nf4', doubleQuant: true } }, 'nf4');
    const w = 'model.layers.0.mlp.down_proj.weight';
    expect(st.tensors.get(w)).toMatchObject({ dtype: 'U8', shape: [64 * 172 / 2, 1] });
    expect(st.tensors.get(`${w}.absmax`)).toMatchObject({ dtype: 'U8', shape: [172] });
    expect(st.tensors.get(`${w}.nested_quant_map`)).toMatchObject({ dtype: 'F32', shape: [256] });
    const state = JSON.parse(st.tensors.get(`${w}.quant_state.bitsandbytes__nf4`)!.bytes.toString('utf8'));
    expect(state).toMatchObject({ quant_type: 'nf4', blocksize: 64, dtype: 'float32', shape: [64, 172], nested_blocksize: 256, nested_dtype: 'float32' });
    expect(typeof state.nested_offset).toBe('number');
    expect(config.quantization_config).toMatchObject({ quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true });
    const t = report.tensors.find((o) => o.name === w)!;
    expect(t.metrics!.snrDb).toBeGreaterThan(15);
    // 4-bit codes + one 8-bit absmax code per 64 + fixed maps (the 256-entry nested map dominates on so small a tensor).
    const stored = [...st.tensors].filter(([k]) => k.startsWith(w)).reduce((a, [, v]) => a + v.bytes.length, 0);
    expect(t.bytesAfter).toBe(stored);
    expect(stored).toBe(64 * 172 / 2 + 172 + 4 + 16 * 4 + 256 * 4 + st.tensors.get(`${w}.quant_state.bitsandbytes__nf4`)!.bytes.length);
  });
});
