import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mcs } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const work = tempDir('inspect');

describe('mcs inspect', () => {
  it('the bundled sample: summary and statistics of every tensor', () => {
    const r = mcs(['inspect', '--json']);
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.summary).toMatchObject({ format: 'hf', architecture: 'llama', parameters: 260032 });
    expect(out.summary.tensors).toHaveLength(47);
    const q = out.stats['model.layers.0.self_attn.q_proj.weight'];
    expect(q.count).toBe(4096);
    expect(q.std).toBeGreaterThan(0);
    expect(q.kurtosis).toBeGreaterThan(1);
  });

  it('--tensor gives the histogram and the largest channels; an unknown tensor is exit 1', () => {
    const r = mcs(['inspect', '--tensor', 'model.layers.0.mlp.down_proj.weight', '--bins', '32', '--json']);
    const t = r.json().tensor;
    expect(t.histogram.counts).toHaveLength(32);
    expect(t.histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(64 * 172);
    expect(t.topChannels).toHaveLength(10);
    expect(t.topChannels[0].absmax).toBeCloseTo(Math.max(Math.abs(t.stats.min), t.stats.max), 6);
    const bad = mcs(['inspect', '--tensor', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/has no tensor 'nope'/);
  });

  it('--no-stats reads headers only', () => {
    const out = mcs(['inspect', '--no-stats', '--json']).json();
    expect(out.stats).toBeUndefined();
    expect(out.summary.dtypeMix).toEqual([{ dtype: 'F32', tensors: 47, parameters: 260032, bytes: 1040128 }]);
  });

  it('what quantize, prune and export write re-opens with inspect', () => {
    const outputs = [
      [['quantize', '-o', join(work, 'q'), '--bits', '4', '--group', '32'], join(work, 'q'), 'I32'],
      [['quantize', '-o', join(work, 'n'), '--method', 'nf4', '--double-quant'], join(work, 'n'), 'U8'],
      [['prune', '-o', join(work, 'p'), '--pattern', '2:4'], join(work, 'p'), 'U8'],
      [['export', '-o', join(work, 'e.gguf'), '--type', 'q4_1'], join(work, 'e.gguf'), 'Q4_1'],
    ] as const;
    for (const [args, path, dtype] of outputs) {
      expect(mcs([...args]).code, args.join(' ')).toBe(0);
      const r = mcs(['inspect', path, '--json']);
      expect(r.code, path).toBe(0);
      expect(r.json().summary.dtypeMix.map((d: { dtype: string }) => d.dtype)).toContain(dtype);
    }
  });

  it('shows a compressed layer as one logical weight with the statistics of its dequantized values', () => {
    const q = join(work, 'q');
    if (mcs(['inspect', q, '--no-stats', '--json']).code !== 0) expect(mcs(['quantize', '-o', q, '--bits', '4', '--group', '32']).code).toBe(0);
    const name = 'model.layers.0.self_attn.q_proj.weight';
    const out = mcs(['inspect', q, '--json']).json();
    expect(out.summary.storedQuantization).toMatch(/pack-quantized int4 g32/);
    expect(out.summary.logicalTensors).toHaveLength(47);
    expect(Object.keys(out.stats)).toHaveLength(47);
    expect(out.stats[`${name}_packed`]).toBeUndefined();
    const orig = mcs(['inspect', '--tensor', name, '--json']).json().tensor.stats;
    const deq = mcs(['inspect', q, '--tensor', name, '--json']).json().tensor.stats;
    expect(deq.count).toBe(orig.count);
    expect(Math.abs(deq.std / orig.std - 1)).toBeLessThan(0.02);
    const table = mcs(['inspect', q]).stdout;
    expect(table).toMatch(/stored as compressed-tensors/);
    expect(table).toMatch(new RegExp(`${name.replace(/\./g, '\\.')}\\s+64×64\\s+int4 g32 sym`));
  });

  it('a corrupt or missing model is exit 1 naming the file', () => {
    const missing = mcs(['inspect', join(work, 'nothing-here')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nothing-here: no such file or folder/);
  });
});
