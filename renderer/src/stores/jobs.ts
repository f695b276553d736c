// Every job the engine runs for this window, kept current from the events
// (state changes, progress, log lines).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { JobEvent, JobInfo, JobLogEntry, StudioRequestInput } from '../../../electron/common/contract';
import { studioApi } from '../api/client';

const LOG_LIMIT = 2000;

export const useJobsStore = defineStore('jobs', () => {
  const jobs = ref<Record<string, JobInfo>>({});
  /** The full log of each job (JobInfo.log holds only the tail). */
  const logs = ref<Record<string, JobLogEntry[]>>({});

  function put(job: JobInfo): void {
    const known = jobs.value[job.jobId];
    // An answer that left the engine before an event we already have is older news.
    if (known && known.revision > job.revision) return;
    // Progress events may overtake a state update in flight; keep the newer progress while running.
    jobs.value[job.jobId] = known && job.status === 'running' && known.progress && job.progress &&
      known.progress.elapsedSeconds > job.progress.elapsedSeconds ? { ...job, progress: known.progress } : job;
    if (!logs.value[job.jobId]) logs.value[job.jobId] = [...job.log];
  }

  function apply(e: JobEvent): void {
    if (e.type === 'job.update') put(e.job);
    else if (e.type === 'job.progress') {
      const j = jobs.value[e.jobId];
      if (j && j.status === 'running') j.progress = e.progress;
    } else if (e.type === 'job.log') {
      const list = (logs.value[e.jobId] ??= []);
      list.push(e.entry);
      if (list.length > LOG_LIMIT) list.splice(0, list.length - LOG_LIMIT);
    }
  }

  async function start(request: StudioRequestInput<'jobs.start'>): Promise<JobInfo> {
    const job = await studioApi().call('jobs.start', request);
    put(job);
    return job;
  }

  async function cancel(jobId: string): Promise<void> {
    put(await studioApi().call('jobs.cancel', { jobId }));
  }

  /** After the event stream was interrupted: ask for the truth. */
  async function refresh(): Promise<void> {
    for (const j of await studioApi().call('jobs.list', {})) put(j);
  }

  /** The engine restarted: what it was running is gone. */
  function markLost(message: string): void {
    for (const j of Object.values(jobs.value)) {
      if (j.status === 'queued' || j.status === 'running') {
        jobs.value[j.jobId] = { ...j, revision: Number.MAX_SAFE_INTEGER, status: 'failed', finishedAt: Date.now(), error: { code: 'ENGINE_CRASHED', message } };
      }
    }
  }

  return { jobs, logs, apply, start, cancel, refresh, markLost };
});
