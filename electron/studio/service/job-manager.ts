// The engine's job queue: jobs run one at a time in order (they all want every
// core), each with an AbortSignal for Cancel, a progress meter and a log. Every
// change is pushed as a JobEvent; progress at most every `progressIntervalMs`.
import { StudioError, toStudioError, type StudioErrorInfo } from '../../common/errors.js';
import type { JobEvent, JobInfo, JobItems, JobKind, JobLogEntry, JobResults } from '../../common/contract.js';
import { ProgressMeter, type ProgressUpdate } from './progress-meter.js';

export interface JobContext<K extends JobKind> {
  readonly jobId: string;
  readonly signal: AbortSignal;
  progress(update: ProgressUpdate): void;
  log(level: JobLogEntry['level'], message: string): void;
  /** Streams one partial result (e.g. a table row) to the window. */
  item(item: JobItems[K]): void;
}

export type JobRunner<K extends JobKind> = (ctx: JobContext<K>) => Promise<JobResults[K]>;

export interface JobManagerOptions {
  now?: () => number;
  progressIntervalMs?: number;
  /** Finished jobs kept for `jobs.get` / `jobs.list`. */
  keepFinished?: number;
  logTail?: number;
}

interface Entry {
  info: JobInfo;
  run: JobRunner<JobKind>;
  abort: AbortController;
  meter?: ProgressMeter;
  lastProgressAt: number;
  lastItem?: string;
}

let counter = 0;
const newJobId = () => `job-${Date.now().toString(36)}-${(++counter).toString(36)}`;

export class JobManager {
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private running: Entry | undefined;
  private readonly now: () => number;
  private readonly opts: Required<Omit<JobManagerOptions, 'now'>>;

  constructor(private readonly emit: (e: JobEvent) => void, options: JobManagerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.opts = { progressIntervalMs: 100, keepFinished: 50, logTail: 200, ...options };
  }

  start<K extends JobKind>(kind: K, title: string, run: JobRunner<K>): JobInfo {
    const info: JobInfo = {
      jobId: newJobId(), kind, revision: 0, title, status: 'queued', createdAt: this.now(),
      startedAt: null, finishedAt: null, progress: null, error: null, result: null, log: [],
    };
    const entry: Entry = { info, run: run as unknown as JobRunner<JobKind>, abort: new AbortController(), lastProgressAt: 0 };
    this.jobs.set(info.jobId, entry);
    this.queue.push(entry);
    this.update(entry);
    this.pump();
    return clone(info);
  }

  cancel(jobId: string): JobInfo {
    const entry = this.entry(jobId);
    const { info } = entry;
    if (info.status === 'queued') {
      this.queue.splice(this.queue.indexOf(entry), 1);
      this.finish(entry, 'cancelled', null, null);
    } else if (info.status === 'running' && !entry.abort.signal.aborted) {
      this.log(entry, 'info', 'Cancel requested');
      entry.abort.abort(new StudioError('CANCELLED', 'cancelled'));
    }
    return clone(info);
  }

  get(jobId: string): JobInfo {
    return clone(this.entry(jobId).info);
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((e) => clone(e.info));
  }

  /** Aborts everything (engine shutdown). */
  cancelAll(): void {
    for (const e of [...this.queue]) this.cancel(e.info.jobId);
    if (this.running) this.cancel(this.running.info.jobId);
  }

  private entry(jobId: string): Entry {
    const e = this.jobs.get(jobId);
    if (!e) throw new StudioError('NOT_FOUND', `no job ${jobId} (jobs are forgotten when the engine restarts)`);
    return e;
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const entry = this.queue.shift() as Entry;
    this.running = entry;
    entry.info.status = 'running';
    entry.info.startedAt = this.now();
    entry.meter = new ProgressMeter(this.now);
    entry.info.progress = entry.meter.snapshot();
    this.update(entry);
    const ctx = this.context(entry);
    // Start on a later tick so start() returns before the first event of the run.
    Promise.resolve()
      .then(() => entry.run(ctx))
      .then(
        (result) => this.finish(entry, 'done', result, null),
        (e) => {
          const err = toStudioError(e);
          const cancelled = err.code === 'CANCELLED' || entry.abort.signal.aborted;
          this.finish(entry, cancelled ? 'cancelled' : 'failed', null, cancelled ? null : err.toJSON());
        },
      )
      .finally(() => {
        this.running = undefined;
        this.pump();
      });
  }

  private context(entry: Entry): JobContext<JobKind> {
    const { jobId } = entry.info;
    return {
      jobId,
      signal: entry.abort.signal,
      progress: (u) => this.progress(entry, u),
      log: (level, message) => this.log(entry, level, message),
      item: (item) => {
        if (entry.info.status === 'running') this.emit({ type: 'job.item', jobId, kind: entry.info.kind, item });
      },
    };
  }

  private progress(entry: Entry, u: ProgressUpdate): void {
    if (entry.info.status !== 'running' || !entry.meter) return;
    entry.meter.update(u);
    const t = this.now();
    const newItem = u.item !== undefined && u.item !== entry.lastItem;
    if (!newItem && t - entry.lastProgressAt < this.opts.progressIntervalMs) return;
    entry.lastItem = u.item ?? entry.lastItem;
    entry.lastProgressAt = t;
    entry.info.progress = entry.meter.snapshot();
    this.emit({ type: 'job.progress', jobId: entry.info.jobId, progress: entry.info.progress });
  }

  private log(entry: Entry, level: JobLogEntry['level'], message: string): void {
    const logEntry = { level, message, time: this.now() };
    entry.info.log.push(logEntry);
    if (entry.info.log.length > this.opts.logTail) entry.info.log.splice(0, entry.info.log.length - this.opts.logTail);
    this.emit({ type: 'job.log', jobId: entry.info.jobId, entry: logEntry });
  }

  private finish(entry: Entry, status: JobInfo['status'], result: unknown, error: StudioErrorInfo | null): void {
    const { info } = entry;
    info.status = status;
    info.finishedAt = this.now();
    info.result = result as JobInfo['result'];
    info.error = error;
    if (entry.meter) info.progress = entry.meter.snapshot();
    if (status === 'done' && info.progress) info.progress = { ...info.progress, fraction: 1, etaSeconds: 0 };
    if (status === 'cancelled') this.log(entry, 'info', 'Cancelled');
    if (status === 'failed' && error) this.log(entry, 'error', error.message);
    this.update(entry);
    this.forgetOld();
  }

  private update(entry: Entry): void {
    entry.info.revision++;
    this.emit({ type: 'job.update', job: clone(entry.info) });
  }

  private forgetOld(): void {
    const finished = [...this.jobs.values()].filter((e) => e.info.finishedAt !== null);
    for (const e of finished.slice(0, Math.max(0, finished.length - this.opts.keepFinished))) this.jobs.delete(e.info.jobId);
  }
}

function clone<T>(x: T): T {
  return structuredClone(x);
}
