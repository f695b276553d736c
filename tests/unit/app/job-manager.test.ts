import { describe, expect, it } from 'vitest';
import type { InspectResult, JobEvent, JobInfo, TensorStatsRow } from '../../../electron/common/contract.js';
import { StudioError } from '../../../electron/common/errors.js';
import { JobManager } from '../../../electron/studio/service/job-manager.js';

const row = (name: string): TensorStatsRow => ({
  name, count: 1, mean: 0, std: 1, min: -1, max: 1, absmax: 1, kurtosis: 3, outlierShare: 0, zeros: 0, nonfinite: 0,
});
const result = (rows: TensorStatsRow[] = []) => ({ modelId: 'm1', rows });

function setup() {
  const events: JobEvent[] = [];
  const jobs = new JobManager((e) => events.push(e), { progressIntervalMs: 0 });
  const settled = (jobId: string) =>
    new Promise<JobInfo>((resolve) => {
      const poll = () => {
        const j = jobs.get(jobId);
        if (j.finishedAt !== null) resolve(j);
        else setTimeout(poll, 1);
      };
      poll();
    });
  return { events, jobs, settled };
}

/** A promise and its resolver, to hold a job at a known point. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

describe('JobManager', () => {
  it('runs a job to done and pushes updates, items, progress and the result', async () => {
    const { events, jobs, settled } = setup();
    const info = jobs.start('inspect', 'Inspect m1', async (ctx) => {
      ctx.progress({ stage: 'stats', itemsTotal: 2, item: 'a' });
      ctx.item(row('a'));
      ctx.log('info', 'a done');
      ctx.progress({ itemsDone: 1, item: 'b' });
      ctx.item(row('b'));
      return result([row('a'), row('b')]);
    });
    expect(info.status).toBe('running'); // the queue was free
    const done = await settled(info.jobId);
    expect(done.status).toBe('done');
    expect((done.result as InspectResult).rows.map((r) => r.name)).toEqual(['a', 'b']);
    expect(done.progress?.fraction).toBe(1);
    expect(done.log.map((l) => l.message)).toContain('a done');
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('job.update');
    expect(types.filter((t) => t === 'job.item')).toHaveLength(2);
    expect(types).toContain('job.progress');
    expect(events.at(-1)).toMatchObject({ type: 'job.update', job: { status: 'done' } });
    const statuses = events.filter((e) => e.type === 'job.update').map((e) => (e as { job: JobInfo }).job.status);
    expect(statuses).toEqual(['queued', 'running', 'done']);
  });

  it('runs jobs one at a time, in order', async () => {
    const { jobs, settled } = setup();
    const order: string[] = [];
    const g = gate();
    const a = jobs.start('inspect', 'a', async () => { order.push('a start'); await g.p; order.push('a end'); return result(); });
    const b = jobs.start('inspect', 'b', async () => { order.push('b'); return result(); });
    await new Promise((r) => setTimeout(r, 10));
    expect(jobs.get(a.jobId).status).toBe('running');
    expect(jobs.get(b.jobId).status).toBe('queued');
    g.open();
    await settled(b.jobId);
    expect(order).toEqual(['a start', 'a end', 'b']);
  });

  it('cancels a running job through its signal', async () => {
    const { jobs, settled } = setup();
    const info = jobs.start('inspect', 'slow', (ctx) => new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(new StudioError('CANCELLED', 'cancelled')));
    }));
    await new Promise((r) => setTimeout(r, 5));
    jobs.cancel(info.jobId);
    const done = await settled(info.jobId);
    expect(done.status).toBe('cancelled');
    expect(done.error).toBeNull();
    expect(done.log.map((l) => l.message)).toEqual(['Cancel requested', 'Cancelled']);
  });

  it('counts any failure after Cancel as cancelled', async () => {
    const { jobs, settled } = setup();
    const info = jobs.start('inspect', 'x', (ctx) => new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(new Error('stream closed')));
    }));
    await new Promise((r) => setTimeout(r, 5));
    jobs.cancel(info.jobId);
    expect((await settled(info.jobId)).status).toBe('cancelled');
  });

  it('cancels a queued job without running it', async () => {
    const { jobs, settled } = setup();
    const g = gate();
    let ran = false;
    const a = jobs.start('inspect', 'a', async () => { await g.p; return result(); });
    const b = jobs.start('inspect', 'b', async () => { ran = true; return result(); });
    expect(jobs.cancel(b.jobId).status).toBe('cancelled');
    g.open();
    await settled(a.jobId);
    expect(ran).toBe(false);
  });

  it('reports a failure with the StudioError it threw', async () => {
    const { jobs, settled } = setup();
    const info = jobs.start('inspect', 'bad', async () => {
      throw new StudioError('BAD_FILE', 'model.safetensors: truncated', { file: 'model.safetensors' });
    });
    const done = await settled(info.jobId);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'BAD_FILE', file: 'model.safetensors' });
    expect(done.log.at(-1)).toMatchObject({ level: 'error', message: 'model.safetensors: truncated' });
  });

  it('throttles progress but always reports a new item', () => {
    let t = 0;
    const events: JobEvent[] = [];
    const jobs = new JobManager((e) => events.push(e), { now: () => t, progressIntervalMs: 100 });
    const g = gate();
    jobs.start('inspect', 'x', async (ctx) => {
      ctx.progress({ item: 'a', itemsTotal: 3 });
      ctx.progress({ itemFraction: 0.5 }); // same time, same item: dropped
      t += 150;
      ctx.progress({ itemFraction: 0.7 }); // later: sent
      ctx.progress({ item: 'b', itemsDone: 1 }); // new item: sent at once
      await g.p;
      return result();
    });
    return new Promise<void>((resolve) => setTimeout(() => {
      const progress = events.filter((e) => e.type === 'job.progress');
      expect(progress.map((e) => (e as { progress: { item?: string } }).progress.item)).toEqual(['a', 'a', 'b']);
      g.open();
      resolve();
    }, 10));
  });

  it('says which job it does not know', () => {
    const { jobs } = setup();
    expect(() => jobs.get('job-nope')).toThrow(/no job job-nope/);
  });
});

describe('JobManager revisions', () => {
  it('numbers every state change so clients can drop stale copies', async () => {
    const events: JobEvent[] = [];
    const jobs = new JobManager((e) => events.push(e), { progressIntervalMs: 0 });
    const info = jobs.start('inspect', 'x', async () => ({ modelId: 'm', rows: [] }));
    await new Promise((r) => setTimeout(r, 10));
    const revisions = events.filter((e) => e.type === 'job.update').map((e) => (e as { job: JobInfo }).job.revision);
    expect(revisions).toEqual([1, 2, 3]);
    expect(info.revision).toBe(2);
    expect(jobs.get(info.jobId).revision).toBe(3);
  });
});
