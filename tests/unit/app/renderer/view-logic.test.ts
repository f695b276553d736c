// The window's pure logic: number formats, tensor table sort/filter, heat map cells.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatPercent, formatStat } from '../../../../renderer/src/lib/format';
import { buildHeatmap } from '../../../../renderer/src/lib/heatmap';
import { sortRows, tensorMatcher, type TensorRow } from '../../../../renderer/src/lib/tensor-table';
import { statsRow, summary } from './fixtures';

describe('formats', () => {
  it.each([
    [0, '0 B'], [1023, '1023 B'], [1024, '1.00 KiB'], [1536, '1.50 KiB'], [1045016, '1021 KiB'], [5 * 1024 ** 3, '5.00 GiB'], [null, '—'],
  ])('bytes %s → %s', (n, s) => expect(formatBytes(n)).toBe(s));
  it.each([[260032, '260K'], [1_100_000_000, '1.10B'], [999, '999'], [12_345, '12.3K']])('count %s → %s', (n, s) => expect(formatCount(n)).toBe(s));
  it.each([[0, '0'], [0.0123456, '0.01235'], [1e-5, '1.00e-5'], [123456, '1.23e+5'], [Number.NaN, 'NaN'], [Infinity, '∞']])('stat %s → %s', (n, s) => expect(formatStat(n)).toBe(s));
  it.each([[0, '0%'], [0.5, '50.00%'], [1e-6, '1.0e-4%']])('percent %s → %s', (n, s) => expect(formatPercent(n)).toBe(s));
  it.each([[0.48, '0.5 s'], [5.44, '5.4 s'], [12.4, '12 s'], [75, '1 min 15 s'], [7260, '2 h 01 min'], [null, '—']])('duration %s → %s', (n, s) => expect(formatDuration(n)).toBe(s));
});

function rows(): TensorRow[] {
  const m = summary();
  return m.tensors.map((t, i) => ({ ...t, stats: i === 0 ? undefined : statsRow(t.name, i / 100, 10 - i) }));
}

describe('tensor table', () => {
  it('sorts names naturally (layers.10 after layers.9)', () => {
    const r = ['m.layers.10.w', 'm.layers.9.w', 'm.layers.1.w'].map((name) => ({ ...rows()[1], name }));
    expect(sortRows(r, { column: 'name', descending: false }).map((x) => x.name)).toEqual(['m.layers.1.w', 'm.layers.9.w', 'm.layers.10.w']);
  });

  it('sorts by a statistic either way, rows without it last', () => {
    const up = sortRows(rows(), { column: 'outlierShare', descending: false });
    const down = sortRows(rows(), { column: 'outlierShare', descending: true });
    expect(up.at(-1)?.stats).toBeUndefined();
    expect(down.at(-1)?.stats).toBeUndefined();
    expect(down[0].stats!.outlierShare).toBeGreaterThan(down[1].stats!.outlierShare);
    expect(up[0].stats!.outlierShare).toBeLessThan(up[1].stats!.outlierShare);
  });

  it('filters by words, by /regex/, and to linear weights', () => {
    const all = rows();
    expect(all.filter(tensorMatcher({ text: 'layers.1 proj', linearOnly: false }).test).map((r) => r.name)).toEqual([
      'model.layers.1.self_attn.q_proj.weight', 'model.layers.1.mlp.down_proj.weight',
    ]);
    expect(all.filter(tensorMatcher({ text: '/^model\\.(norm|embed)/', linearOnly: false }).test)).toHaveLength(2);
    expect(all.filter(tensorMatcher({ text: '', linearOnly: true }).test).every((r) => r.linear)).toBe(true);
    expect(all.filter(tensorMatcher({ text: 'f32', linearOnly: false }).test)).toHaveLength(all.length); // a dtype word
    expect(tensorMatcher({ text: '/([/', linearOnly: false }).error).toMatch(/not a valid regular expression/);
  });
});

describe('heat map', () => {
  it('has one cell per 2-D weight in a block, at its layer and role', () => {
    const m = summary();
    const stats = new Map(m.tensors.map((t, i) => [t.name, statsRow(t.name, i / 100)]));
    const h = buildHeatmap(m.tensors, stats);
    expect(h.layers).toEqual([0, 1]);
    expect(h.roles).toEqual(['q_proj', 'down_proj']); // norms (1-D) and embeddings (no layer) are not in it
    expect(h.cells).toHaveLength(4);
    const down1 = h.cells.find((c) => c[3] === 'model.layers.1.mlp.down_proj.weight')!;
    expect(down1.slice(0, 2)).toEqual([1, 1]);
    expect(h.max).toBe(Math.max(...h.cells.map((c) => c[2])));
  });

  it('fills in as statistics arrive', () => {
    const h = buildHeatmap(summary().tensors, new Map([['model.layers.0.self_attn.q_proj.weight', statsRow('x', 0.2)]]));
    expect(h.cells).toEqual([[0, 0, 0.2, 'model.layers.0.self_attn.q_proj.weight']]);
  });
});

describe('tensor names for display', () => {
  it('drops the shared prefix and .weight, keeps biases and the layer', async () => {
    const { commonPrefix, compactName, shortName } = await import('../../../../renderer/src/lib/tensor-names');
    const names = ['model.embed_tokens.weight', 'model.layers.0.self_attn.q_proj.weight', 'model.layers.0.self_attn.q_proj.bias'];
    const p = commonPrefix(names);
    expect(p).toBe('model.');
    expect(names.map((n) => shortName(n, p))).toEqual(['embed_tokens', 'layers.0.self_attn.q_proj', 'layers.0.self_attn.q_proj.bias']);
    expect(names.map((n) => compactName(n, p))).toEqual(['embed_tokens', 'layers.0.q_proj', 'layers.0.q_proj.bias']);
    expect(commonPrefix(['blk.0.attn_q.weight', 'blk.1.attn_q.weight'])).toBe('');
    expect(commonPrefix(['model.layers.0.a', 'model.layers.1.a'])).toBe('model.');
    expect(commonPrefix(['model.layers.10.a', 'model.layers.11.a'])).toBe('model.');
    expect(commonPrefix(['token_embd.weight', 'blk.0.attn_q.weight'])).toBe('');
    expect(commonPrefix(['only.one'])).toBe('');
  });
});
