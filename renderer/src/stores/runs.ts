// Compression runs: the recipe applied to the open model (a compress job), its
// results, and their export to where the user chooses.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CompressResult, ExportResult, JobInfo } from '../../../electron/common/contract';
import { studioApi } from '../api/client';
import { errorInfo, useAppStore } from './app';
import type { StudioErrorInfo } from '../../../electron/common/errors';
import { useJobsStore } from './jobs';
import { useModelsStore } from './models';
import { useRecipeStore } from './recipe';

export const useRunsStore = defineStore('runs', () => {
  const runJobId = ref<string | null>(null);
  const exportJobId = ref<string | null>(null);
  const starting = ref(false);
  /** Why the last export could not even start (a folder that does not exist, a path not allowed). */
  const exportError = ref<StudioErrorInfo | null>(null);

  const jobs = () => useJobsStore().jobs;
  const runJob = computed<JobInfo | null>(() => (runJobId.value ? jobs()[runJobId.value] ?? null : null));
  const exportJob = computed<JobInfo | null>(() => (exportJobId.value ? jobs()[exportJobId.value] ?? null : null));
  const running = computed(() => runJob.value?.status === 'running' || runJob.value?.status === 'queued');
  const result = computed<CompressResult | null>(() => (runJob.value?.status === 'done' ? (runJob.value.result as CompressResult) : null));
  const exported = computed<ExportResult | null>(() => (exportJob.value?.status === 'done' ? (exportJob.value.result as ExportResult) : null));
  const canRun = computed(() => !!useModelsStore().current && !!useRecipeStore().check?.valid && !running.value && !starting.value);

  /** Runs the current recipe on the open model and shows the Run screen. */
  async function start(): Promise<void> {
    const model = useModelsStore().current;
    const recipe = useRecipeStore();
    if (!model || running.value || starting.value) return;
    starting.value = true;
    try {
      const job = await useJobsStore().start({ kind: 'compress', modelId: model.modelId, recipe: recipe.doc as Record<string, unknown> });
      runJobId.value = job.jobId;
      exportJobId.value = null;
      exportError.value = null;
      useAppStore().go('run');
    } catch (e) {
      useAppStore().reportError('Could not start the run', e);
    } finally {
      starting.value = false;
    }
  }

  async function cancel(): Promise<void> {
    if (runJobId.value) await useJobsStore().cancel(runJobId.value);
  }

  async function exportTo(path: string, overwrite = false): Promise<void> {
    const r = result.value;
    if (!r) return;
    exportError.value = null;
    try {
      exportJobId.value = (await useJobsStore().start({ kind: 'export', runId: r.runId, path, overwrite })).jobId;
    } catch (e) {
      exportJobId.value = null;
      exportError.value = errorInfo(e);
    }
  }

  async function cancelExport(): Promise<void> {
    if (exportJobId.value) await useJobsStore().cancel(exportJobId.value);
  }

  /** Opens the exported model (to inspect it, or to check that it loads). */
  async function openExported(): Promise<void> {
    if (exported.value) await useModelsStore().open(exported.value.path);
  }

  async function reveal(): Promise<void> {
    if (!exported.value) return;
    try {
      await studioApi().call('shell.reveal', { path: exported.value.path });
    } catch (e) {
      useAppStore().reportError('Could not show the folder', e);
    }
  }

  return { runJobId, exportJobId, exportError, runJob, exportJob, running, result, exported, canRun, starting, start, cancel, exportTo, cancelExport, openExported, reveal };
});
