// The open model: its summary, the statistics of every tensor (streamed in by
// an inspect job), the tensor selected in the inspector and its charts.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { ModelSummary, RecentModel, TensorDetail, TensorStatsRow } from '../../../electron/common/contract';
import type { StudioErrorInfo } from '../../../electron/common/errors';
import { studioApi } from '../api/client';
import { viewTensors } from '../lib/model-view';
import { errorInfo, useAppStore } from './app';
import { useJobsStore } from './jobs';

export const useModelsStore = defineStore('models', () => {
  const recent = ref<RecentModel[]>([]);
  const current = shallowRef<ModelSummary | null>(null);
  const opening = ref<string | null>(null);
  const openError = ref<StudioErrorInfo | null>(null);
  /** Statistics by tensor name; a Map kept out of deep reactivity (thousands of rows). */
  const stats = shallowRef(new Map<string, TensorStatsRow>());
  const inspectJobId = ref<string | null>(null);
  const selected = ref<string | null>(null);
  const detail = shallowRef<TensorDetail | null>(null);
  const detailError = ref<StudioErrorInfo | null>(null);
  const detailLoading = ref(false);

  const inspectJob = computed(() => (inspectJobId.value ? useJobsStore().jobs[inspectJobId.value] ?? null : null));

  async function loadRecent(): Promise<void> {
    try {
      recent.value = await studioApi().call('models.recent', {});
    } catch (e) {
      useAppStore().reportError('Could not read the recent models', e);
    }
  }

  async function forget(path: string): Promise<void> {
    recent.value = await studioApi().call('models.forgetRecent', { path });
  }

  async function show(model: ModelSummary): Promise<void> {
    const previous = current.value;
    // Stop the old model's statistics before its files are closed.
    const oldJob = inspectJob.value;
    if (oldJob && (oldJob.status === 'running' || oldJob.status === 'queued')) await useJobsStore().cancel(oldJob.jobId).catch(() => {});
    current.value = model;
    stats.value = new Map();
    selected.value = null;
    detail.value = null;
    detailError.value = null;
    if (previous) void studioApi().call('models.close', { modelId: previous.modelId }).catch(() => {});
    const tensors = viewTensors(model);
    const firstLinear = tensors.find((t) => t.linear) ?? tensors.find((t) => t.shape.length >= 2);
    if (firstLinear) void select(firstLinear.name);
    try {
      const jobId = (await useJobsStore().start({ kind: 'inspect', modelId: model.modelId })).jobId;
      inspectJobId.value = jobId;
      // Rows that arrived (over the event stream) before the answer to jobs.start did.
      for (const row of early.get(jobId) ?? []) stats.value.set(row.name, row);
      early.clear();
      triggerRef(stats);
    } catch (e) {
      useAppStore().reportError('Could not compute the tensor statistics', e);
    }
  }

  /** Opens a model by path (typed, picked, dropped or recent); on success shows the Model screen. */
  async function open(path: string | null): Promise<boolean> {
    const label = path ?? 'the sample model';
    opening.value = label;
    openError.value = null;
    try {
      const model = path === null ? await studioApi().call('models.openSample', {}) : await studioApi().call('models.open', { path });
      await show(model);
      useAppStore().go('model');
      void loadRecent();
      return true;
    } catch (e) {
      openError.value = errorInfo(e);
      return false;
    } finally {
      opening.value = null;
    }
  }

  async function select(name: string): Promise<void> {
    const model = current.value;
    if (!model) return;
    selected.value = name;
    detailError.value = null;
    detailLoading.value = true;
    try {
      const d = await studioApi().call('models.tensorDetail', { modelId: model.modelId, tensor: name, bins: 96 });
      // A later selection may have finished first.
      if (selected.value === name && current.value === model) detail.value = d;
    } catch (e) {
      if (selected.value === name) {
        detail.value = null;
        detailError.value = errorInfo(e);
      }
    } finally {
      if (selected.value === name) detailLoading.value = false;
    }
  }

  /** Rows of jobs not yet known as ours: events and call answers travel separately. */
  const early = new Map<string, TensorStatsRow[]>();

  function addStats(jobId: string, row: TensorStatsRow): void {
    if (jobId !== inspectJobId.value) {
      if (early.size < 4 || early.has(jobId)) early.set(jobId, [...(early.get(jobId) ?? []), row]);
      return;
    }
    stats.value.set(row.name, row);
    triggerRef(stats);
  }

  /** The finished job's result is the complete table. */
  function setStats(jobId: string, rows: TensorStatsRow[]): void {
    if (jobId !== inspectJobId.value) return;
    stats.value = new Map(rows.map((r) => [r.name, r]));
  }

  /** The engine restarted and forgot its models: open the current one again. */
  async function reopen(): Promise<void> {
    const model = current.value;
    if (!model) return;
    const isSample = useAppStore().info?.sample?.path === model.path;
    try {
      const again = isSample ? await studioApi().call('models.openSample', {}) : await studioApi().call('models.open', { path: model.path });
      const keep = selected.value;
      await show(again);
      if (keep) void select(keep);
    } catch (e) {
      current.value = null;
      useAppStore().reportError('Could not open the model again after the engine restarted', e);
      useAppStore().go('start');
    }
  }

  return {
    recent, current, opening, openError, stats, inspectJobId, inspectJob, selected, detail, detailError, detailLoading,
    loadRecent, forget, open, select, addStats, setStats, reopen,
  };
});
