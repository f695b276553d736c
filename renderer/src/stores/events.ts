// Routes the engine's pushed events to the stores that care.
import type { CompareToken, InspectResult, StudioApi, TensorStatsRow } from '../../../electron/common/contract';
import { useAppStore } from './app';
import { useCompareStore } from './compare';
import { useJobsStore } from './jobs';
import { useModelsStore } from './models';

export function routeEvents(api: StudioApi): () => void {
  const app = useAppStore();
  const jobs = useJobsStore();
  const models = useModelsStore();
  const compare = useCompareStore();
  return api.onEvent((e) => {
    if (e.type === 'engine.restarted') {
      app.notify('error', 'The engine stopped and was restarted', e.message);
      jobs.markLost(e.message);
      void app.init(); // the new engine's pid and restart count
      void models.reopen();
      return;
    }
    jobs.apply(e);
    if (e.type === 'job.item' && e.kind === 'inspect') models.addStats(e.jobId, e.item as TensorStatsRow);
    if (e.type === 'job.item' && e.kind === 'compare') compare.addToken(e.jobId, e.item as CompareToken);
    if (e.type === 'job.update' && e.job.kind === 'inspect' && e.job.status === 'done' && e.job.result) models.setStats(e.job.jobId, (e.job.result as InspectResult).rows);
    if (e.type === 'job.update' && e.job.status === 'failed' && e.job.error && e.job.error.code !== 'ENGINE_CRASHED') {
      app.notify('error', `${e.job.title} failed`, e.job.error.message, e.job.error.tensor ?? e.job.error.file);
    }
  });
}
