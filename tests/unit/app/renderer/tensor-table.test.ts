// @vitest-environment happy-dom
// The tensor table component: header clicks sort, the filter field filters,
// a row click and the arrow keys select.
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import TensorTable from '../../../../renderer/src/components/TensorTable.vue';
import type { TensorRow } from '../../../../renderer/src/lib/tensor-table';
import { statsRow, summary } from './fixtures';

const rows: TensorRow[] = summary().tensors.map((t, i) => ({ ...t, stats: statsRow(t.name, i / 100, 20 - i) }));
const names = (w: ReturnType<typeof mount>) => w.findAll('tbody tr').map((r) => r.attributes('data-tensor'));

describe('TensorTable', () => {
  it('sorts by the clicked column, and again the other way', async () => {
    const w = mount(TensorTable, { props: { rows, selected: null } });
    const kurt = w.findAll('th').find((th) => th.text().startsWith('Kurtosis'))!;
    await kurt.trigger('click');
    expect(names(w)[0]).toBe(rows[0].name); // highest kurtosis first
    expect(kurt.attributes('aria-sort')).toBe('descending');
    await kurt.trigger('click');
    expect(names(w)[0]).toBe(rows.at(-1)!.name);
  });

  it('filters and counts', async () => {
    const w = mount(TensorTable, { props: { rows, selected: null } });
    await w.find('[data-testid="tensor-filter"]').setValue('down_proj');
    expect(names(w)).toEqual(['model.layers.0.mlp.down_proj.weight', 'model.layers.1.mlp.down_proj.weight']);
    expect(w.text()).toContain(`2 of ${rows.length}`);
  });

  it('selects on click and moves with the arrow keys', async () => {
    const w = mount(TensorTable, { props: { rows, selected: 'model.embed_tokens.weight' } });
    await w.findAll('tbody tr')[2].trigger('click');
    expect(w.emitted('select')?.[0]).toEqual([names(w)[2]]);
    // Sorted by name: the embeddings come first, layer 0's norm next.
    await w.find('.scroll').trigger('keydown', { key: 'ArrowDown' });
    expect(w.emitted('select')?.[1]).toEqual(['model.layers.0.input_layernorm.weight']);
    await w.setProps({ selected: 'model.norm.weight' }); // the last row: the selection stays
    await w.find('.scroll').trigger('keydown', { key: 'ArrowDown' });
    expect(w.emitted('select')?.[2]).toEqual(['model.norm.weight']);
  });
});

describe('TensorTable with compressed layers', () => {
  it('shows a logical row with its label and stored parts, and an unreadable layer as an error row', async () => {
    const parts = [
      { name: 'model.layers.0.self_attn.q_proj.weight_packed', dtype: 'I32', shape: [64, 8], bytes: 2048 },
      { name: 'model.layers.0.self_attn.q_proj.weight_scale', dtype: 'F32', shape: [64, 2], bytes: 512 },
    ];
    const message = '/m/model.safetensors: tensor \'model.layers.1.self_attn.q_proj.weight_scale\' has shape [32, 4], expected [64, groups]';
    const withLayers: TensorRow[] = rows.map((r) =>
      r.role !== 'q_proj' ? r
      : r.layer === 0 ? { ...r, dtype: 'int4 g32 sym', bytes: 2560, parts }
      : { ...r, dtype: 'int4 g32 sym', parts, stats: { ...statsRow(r.name), error: { message } } });
    const w = mount(TensorTable, { props: { rows: withLayers, selected: null } });
    const q0 = w.find('[data-tensor="model.layers.0.self_attn.q_proj.weight"]');
    expect(q0.find('.badge').text()).toBe('int4 g32 sym');
    expect(q0.find('.badge').attributes('title')).toBe('stored as:\nweight_packed I32 [64, 8]\nweight_scale F32 [64, 2]');
    expect(q0.find('[data-testid="row-error"]').exists()).toBe(false);
    const q1 = w.find('[data-tensor="model.layers.1.self_attn.q_proj.weight"]');
    expect(q1.find('[data-testid="row-error"]').text()).toBe(`unreadable: ${message}`);
    expect(q1.findAll('td')).toHaveLength(5);
    await w.find('[data-testid="tensor-filter"]').setValue('int4');
    expect(names(w)).toEqual(['model.layers.0.self_attn.q_proj.weight', 'model.layers.1.self_attn.q_proj.weight']);
  });
});
