import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TensorEntry } from '../../../electron/studio/models/types.js';
import {
  PRESETS,
  estimateSize,
  findPreset,
  groupSizesThatFit,
  loadRecipe,
  parseRecipe,
  planRecipe,
  saveRecipe,
} from '../../../electron/studio/recipes/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

// The shapes of the bundled sample (hidden 64, intermediate 172, GQA 8/4 heads), 2 layers.
function sampleLikeTensors(): TensorEntry[] {
  const t = (name: string, shape: number[]): TensorEntry => ({
    name, shape, dtype: 'F32', file: 'model.safetensors', offset: 0, byteLength: shape.reduce((a, b) => a * b, 1) * 4,
  });
  const out = [t('model.embed_tokens.weight', [512, 64]), t('model.norm.weight', [64])];
  for (let i = 0; i < 2; i++) {
    const p = `model.layers.${i}.`;
    out.push(
      t(p + 'input_layernorm.weight', [64]),
      t(p + 'self_attn.q_proj.weight', [64, 64]),
      t(p + 'self_attn.k_proj.weight', [32, 64]),
      t(p + 'self_attn.v_proj.weight', [32, 64]),
      t(p + 'self_attn.o_proj.weight', [64, 64]),
      t(p + 'post_attention_layernorm.weight', [64]),
      t(p + 'mlp.gate_proj.weight', [172, 64]),
      t(p + 'mlp.up_proj.weight', [172, 64]),
      t(p + 'mlp.down_proj.weight', [64, 172]),
    );
  }
  return out;
}

describe('recipe schema', () => {
  it('fills defaults and accepts every preset', () => {
    for (const p of PRESETS) expect(() => parseRecipe(p.recipe)).not.toThrow();
    const r = parseRecipe({ quantize: { method: 'rtn', bits: 4 } });
    expect(r.quantize).toMatchObject({ scheme: 'sym', granularity: 'channel', range: 'minmax' });
    expect(r.rules).toEqual([]);
  });

  it('names the place of each problem', () => {
    expect(() => parseRecipe({ quantize: { method: 'rtn', bits: 9 } })).toThrow(/quantize\.bits/);
    expect(() => parseRecipe({ quantize: { method: 'rtn', bits: 4, granularity: 'group' } })).toThrow(/group size/);
    expect(() => parseRecipe({ rules: [{ match: '(' }] })).toThrow(/rules\.0\.match: not a valid regular expression/);
    expect(() => parseRecipe({ prune: { method: 'nm', n: 4, m: 4 } })).toThrow(/n must be smaller than m/);
    expect(() => parseRecipe({ quantize: { method: 'rtn', bits: 4, typo: 1 } })).toThrow(/typo/);
    expect(() => parseRecipe({})).toThrow(/needs "quantize", "prune" or at least one rule/);
  });

  it('finds presets by id or label', () => {
    expect(findPreset('int4 g32')?.id).toBe('int4-g32');
    expect(findPreset('Q4_0')?.id).toBe('q4_0');
    expect(findPreset('nope')).toBeUndefined();
  });
});

describe('recipe files', () => {
  const dir = tempDir('recipe');

  it('round-trips YAML and JSON', async () => {
    const recipe = parseRecipe({
      name: 'mixed',
      quantize: { method: 'rtn', bits: 4, granularity: 'group', group: 32 },
      rules: [{ match: 'down_proj', quantize: { method: 'rtn', bits: 8 } }],
    });
    for (const name of ['r.yaml', 'r.json']) {
      await saveRecipe(join(dir, name), recipe);
      expect(await loadRecipe(join(dir, name))).toEqual(recipe);
    }
    expect(readFileSync(join(dir, 'r.json'), 'utf8')).toMatch(/^\{/);
  });

  it('reports a bad file by name', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'quantize: [unclosed');
    await expect(loadRecipe(join(dir, 'bad.yaml'))).rejects.toThrow(/bad\.yaml: not valid YAML/);
    writeFileSync(join(dir, 'wrong.yaml'), 'quantize: { method: rtn, bits: 1 }');
    await expect(loadRecipe(join(dir, 'wrong.yaml'))).rejects.toThrow(/wrong\.yaml: quantize\.bits/);
    await expect(loadRecipe(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('recipe plan', () => {
  const tensors = sampleLikeTensors();

  it('targets the linear layers and leaves embeddings and norms alone', () => {
    const plan = planRecipe(parseRecipe(findPreset('int8-channel')!.recipe), tensors);
    const touched = plan.tensors.filter((t) => t.quantize).map((t) => t.name);
    expect(touched).toHaveLength(14);
    expect(touched.every((n) => /_proj\.weight$/.test(n))).toBe(true);
    expect(plan.format).toBe('compressed-tensors');
  });

  it('leaves down_proj (172 wide) unquantized at g32 and says which groups fit', () => {
    const plan = planRecipe(parseRecipe(findPreset('int4-g32')!.recipe), tensors);
    expect(plan.skipped.map((s) => s.name)).toEqual(['model.layers.0.mlp.down_proj.weight', 'model.layers.1.mlp.down_proj.weight']);
    expect(plan.skipped[0].reason).toMatch(/172 columns are not a multiple of group 32.*fit: 43, 86, 172/);
    expect(groupSizesThatFit(4096)).toEqual([16, 32, 64, 128, 256, 512]);
  });

  it('applies the first matching rule and lets rules name non-default targets', () => {
    const recipe = parseRecipe({
      quantize: { method: 'rtn', bits: 4, granularity: 'group', group: 64 },
      rules: [
        { match: 'down_proj', quantize: { method: 'rtn', bits: 8, granularity: 'channel' } },
        { match: 'embed_tokens', quantize: { method: 'keep', dtype: 'f16' } },
      ],
    });
    const plan = planRecipe(recipe, tensors);
    const by = Object.fromEntries(plan.tensors.map((t) => [t.name, t]));
    expect(by['model.layers.0.mlp.down_proj.weight'].quantize).toMatchObject({ bits: 8, granularity: 'channel' });
    expect(by['model.layers.0.mlp.up_proj.weight'].quantize).toMatchObject({ bits: 4, group: 64 });
    expect(by['model.embed_tokens.weight'].quantize).toEqual({ method: 'keep', dtype: 'f16' });
    expect(by['model.norm.weight'].quantize).toBeUndefined();
    expect(plan.skipped).toEqual([]);
  });

  it('refuses a recipe whose methods need two output formats', () => {
    const recipe = parseRecipe({
      quantize: { method: 'nf4' },
      rules: [{ match: 'down_proj', quantize: { method: 'rtn', bits: 8 } }],
    });
    expect(() => planRecipe(recipe, tensors)).toThrow(/mixes bitsandbytes and compressed-tensors/);
  });

  it('refuses N:M where the row does not divide', () => {
    const plan = planRecipe(parseRecipe({ prune: { method: 'nm', n: 3, m: 8 } }), tensors);
    expect(plan.skipped.map((s) => s.name)).toEqual(['model.layers.0.mlp.down_proj.weight', 'model.layers.1.mlp.down_proj.weight']);
  });
});

describe('size estimate', () => {
  const tensors = sampleLikeTensors();
  const est = (r: unknown) => estimateSize(planRecipe(parseRecipe(r), tensors));

  it('counts codes, scales and zero points as stored', () => {
    // int8 per channel on F32: 8 bits + one 32-bit scale per row of `cols` inputs.
    const e = est({ quantize: { method: 'rtn', bits: 8, granularity: 'channel' } });
    const q = e.perTensor.find((t) => t.name.endsWith('layers.0.self_attn.q_proj.weight'))!;
    expect(q.bitsAfter).toBeCloseTo(8 + 32 / 64, 10);
    const asym = est({ quantize: { method: 'rtn', bits: 4, scheme: 'asym', granularity: 'group', group: 32 } });
    const up = asym.perTensor.find((t) => t.name.endsWith('layers.0.mlp.up_proj.weight'))!;
    // 172 rows → zero points packed 8 per int32 along the rows: ceil(172·4/32) = 22 words per group.
    expect(up.bitsAfter).toBeCloseTo(4 + 32 / 32 + (22 * 32 * 2) / (172 * 64), 10);
    // 3-bit codes are packed densely: 64 columns · 3 bits = 6 int32 words per row.
    const three = est({ quantize: { method: 'rtn', bits: 3, granularity: 'tensor' } });
    expect(three.perTensor.find((t) => t.name.endsWith('q_proj.weight'))!.bitsAfter).toBeCloseTo(3 + 32 / 4096, 10);
  });

  it('gives the known bits per weight of NF4, GGUF and 2:4', () => {
    const nf4 = est({ quantize: { method: 'nf4', doubleQuant: true } });
    expect(nf4.targetBitsAfter).toBeCloseTo(4 + 0.125 + 32 / 16384, 10);
    expect(est({ quantize: { method: 'gguf', type: 'q4_0' } }).targetBitsAfter).toBeCloseTo(4.5, 10);
    expect(est({ prune: { method: 'nm', n: 2, m: 4 } }).targetBitsAfter).toBeCloseTo(32 / 2 + 1, 10);
  });

  it('totals bytes before and after', () => {
    const e = est({ quantize: { method: 'keep', dtype: 'f16' }, targets: ['.*'] });
    expect(e.bytesAfter * 2).toBe(e.bytesBefore);
  });
});
