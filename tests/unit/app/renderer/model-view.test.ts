// The Model screen's view of a summary with compressed layers: logical rows,
// their type mix and parameter count, the header's words, unreadable rows.
import { describe, expect, it } from 'vitest';
import type { ModelSummary, TensorInfo } from '../../../../electron/common/contract';
import { isQuantized, partsText, quantizationLabel, readableStats, viewParameters, viewTensors, viewTypeMix } from '../../../../renderer/src/lib/model-view';
import { statsRow, summary } from './fixtures';

/** The fixture with its q_proj weights stored int4 g32 (packed int32 codes + scales + shape). */
function compressed(): ModelSummary {
  const m = summary();
  const logical: TensorInfo[] = m.tensors.map((t) => {
    if (t.role !== 'q_proj') return t;
    const stem = t.name.replace(/weight$/, '');
    const parts = [
      { name: `${stem}weight_packed`, dtype: 'I32', shape: [64, 8], bytes: 2048 },
      { name: `${stem}weight_scale`, dtype: 'F32', shape: [64, 2], bytes: 512 },
      { name: `${stem}weight_shape`, dtype: 'I64', shape: [2], bytes: 16 },
    ];
    return { ...t, dtype: 'int4 g32 sym', bytes: 2576, parts };
  });
  const stored = logical.flatMap((t) => (t.parts ? t.parts.map((p) => ({ ...t, name: p.name, dtype: p.dtype, shape: p.shape, bytes: p.bytes, parameters: p.shape.reduce((a, b) => a * b, 1), parts: undefined })) : [t]));
  return { ...m, quantization: 'compressed-tensors', storedQuantization: 'compressed-tensors · pack-quantized int4 g32 sym', tensors: stored, logicalTensors: logical, parameters: stored.reduce((a, t) => a + t.parameters, 0) };
}

describe('Model screen view of compressed layers', () => {
  it('lists the logical tensors, one per layer, and counts their parameters', () => {
    const plain = summary();
    const m = compressed();
    expect(viewTensors(m).map((t) => t.name)).toEqual(plain.tensors.map((t) => t.name));
    expect(viewTensors(plain)).toBe(plain.tensors);
    expect(viewTensors(null)).toEqual([]);
    expect(viewParameters(m)).toBe(plain.parameters);
    expect(m.parameters).not.toBe(plain.parameters); // what the stored tensors alone would say
  });

  it('mixes logical types by bytes and says how the files are quantized', () => {
    const m = compressed();
    const mix = viewTypeMix(m);
    expect(mix.map((d) => d.dtype)).toEqual(['int4 g32 sym', 'F32']);
    expect(mix[0]).toMatchObject({ tensors: 2, bytes: 2 * 2576, parameters: 2 * 64 * 64 });
    expect(mix.reduce((a, d) => a + d.share, 0)).toBeCloseTo(1);
    expect(isQuantized(m)).toBe(true);
    expect(quantizationLabel(m)).toBe('compressed-tensors · pack-quantized int4 g32 sym');
    expect(quantizationLabel(summary())).toBe('none');
    expect(isQuantized(summary())).toBe(false);
  });

  it('names the stored parts of a logical tensor', () => {
    const q = compressed().logicalTensors!.find((t) => t.parts)!;
    expect(partsText(q)).toEqual(['weight_packed I32 [64, 8]', 'weight_scale F32 [64, 2]', 'weight_shape I64 [2]']);
  });

  it('keeps unreadable layers out of the heat map', () => {
    const ok = statsRow('a');
    const bad = { ...statsRow('b'), error: { message: 'x: tensor y has shape [1]' } };
    expect([...readableStats(new Map([['a', ok], ['b', bad]])).keys()]).toEqual(['a']);
    const all = new Map([['a', ok]]);
    expect(readableStats(all)).toBe(all);
  });
});
