// Where compress jobs write their output until the user exports it: one folder
// per engine session under the work folder, the last few runs kept. A session
// whose engine is gone (closed, crashed) is cleaned up by the next one.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioError } from '../../common/errors.js';

export interface RunInfo {
  /** The run's own folder (everything in it is the run's). */
  dir: string;
  /** What compress wrote: the folder itself (Hugging Face outputs) or one file in it (GGUF). */
  output: string;
  kind: 'folder' | 'file';
  format: string;
  /** For titles: what was done to which model ("int4 g32 of stories260K"). */
  name?: string;
}

const SESSION = /^session-(\d+)-[0-9a-f]+$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunStore {
  readonly session: string;
  private readonly runs = new Map<string, RunInfo>();
  private readonly order: string[] = [];

  /** `keep`: finished runs kept for export; older ones are removed when a new run starts. */
  constructor(readonly root: string, private readonly keep = 3) {
    this.session = join(root, `session-${process.pid}-${randomBytes(4).toString('hex')}`);
    RunStore.removeStale(root);
  }

  /** Removes the sessions of engines that are no longer running. */
  static removeStale(root: string): void {
    if (!existsSync(root)) return;
    for (const name of readdirSync(root)) {
      const m = SESSION.exec(name);
      if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(join(root, name), { recursive: true, force: true });
    }
  }

  /**
   * The path of a new run's folder. `kind` 'folder': the folder is the output
   * and does not exist yet (the writer creates it atomically); 'file': the
   * folder exists and the output file goes into it.
   */
  async prepare(runId: string, kind: 'folder' | 'file'): Promise<string> {
    await mkdir(this.session, { recursive: true });
    while (this.order.length >= this.keep) await this.discard(this.order[0]);
    const dir = join(this.session, runId);
    if (kind === 'file') await mkdir(dir);
    return dir;
  }

  record(runId: string, info: RunInfo): void {
    this.runs.set(runId, info);
    this.order.push(runId);
  }

  get(runId: string): RunInfo {
    const r = this.runs.get(runId);
    if (!r || !existsSync(r.output)) {
      throw new StudioError('NOT_FOUND', `the output of run ${runId} is no longer there (the studio keeps the last ${this.keep} runs until it closes): run the recipe again`);
    }
    return r;
  }

  async discard(runId: string): Promise<void> {
    const i = this.order.indexOf(runId);
    if (i >= 0) this.order.splice(i, 1);
    this.runs.delete(runId);
    await rm(join(this.session, runId), { recursive: true, force: true });
  }

  dispose(): void {
    rmSync(this.session, { recursive: true, force: true });
  }
}
