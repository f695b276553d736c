// @vitest-environment happy-dom
// The job panel shows progress, throughput, time left and the log, and offers
// Cancel only while the job can still be stopped.
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../../electron/common/contract';
import JobPanel from '../../../../renderer/src/components/JobPanel.vue';
import { job } from './fixtures';

const running: JobInfo = {
  ...job('j1', 'running'),
  startedAt: Date.now() - 12_000,
  progress: {
    stage: 'quantize', fraction: 0.4237, item: 'model.layers.3.mlp.down_proj.weight', itemFraction: 0.5, itemsDone: 14, itemsTotal: 35,
    bytesDone: 4e8, bytesTotal: 1e9, bytesPerSecond: 50 * 1024 * 1024, etaSeconds: 95, elapsedSeconds: 12,
  },
};

describe('JobPanel', () => {
  it('shows overall and current-tensor progress, rate and time left', () => {
    const w = mount(JobPanel, { props: { job: running, log: [{ level: 'info', message: 'quantized q_proj', time: Date.now() }] } });
    expect(w.find('[data-testid="job-percent"]').text()).toBe('42.3%');
    expect(w.text()).toContain('14 / 35 tensors');
    expect(w.text()).toContain('50.0 MiB/s');
    expect(w.text()).toContain('1 min 35 s left');
    expect(w.text()).toContain('model.layers.3.mlp.down_proj.weight');
    expect(w.find('[data-testid="job-log"]').text()).toContain('quantized q_proj');
  });

  it('emits cancel while running, and offers no Cancel once finished', async () => {
    const w = mount(JobPanel, { props: { job: running, log: [] } });
    await w.find('[data-testid="cancel"]').trigger('click');
    expect(w.emitted('cancel')).toHaveLength(1);
    await w.setProps({ job: { ...running, status: 'cancelled', finishedAt: Date.now() } });
    expect(w.find('[data-testid="cancel"]').exists()).toBe(false);
    expect(w.find('[data-testid="job-status"]').text()).toBe('Cancelled');
  });

  it('shows a failure in words', () => {
    const w = mount(JobPanel, { props: { job: { ...running, status: 'failed', error: { code: 'BAD_FILE', message: 'short read at 4096', tensor: 'w' } }, log: [] } });
    expect(w.find('[data-testid="error"]').text()).toContain('short read at 4096');
  });
});
