// Atomic outputs: a file (or folder) is written under a temporary name in the
// target's own folder, synced, and renamed into place only when complete. On an
// error or a cancel the temporary is removed, so a reader never sees half an
// output and a failed export leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StudioError, cancelled } from '../../common/errors.js';

export interface AtomicOptions {
  signal?: AbortSignal;
  /** Replace an existing target (default true for files, false for folders). */
  overwrite?: boolean;
}

/** A temporary name beside `target` (same folder, so the final rename is atomic). */
export const tempName = (target: string) => join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

export async function checkTarget(target: string, overwrite: boolean): Promise<void> {
  const parent = dirname(target);
  if (!(await stat(parent).then((s) => s.isDirectory(), () => false))) {
    throw new StudioError('NOT_FOUND', `${parent}: the folder to write into does not exist`, { file: target });
  }
  if (!overwrite && (await stat(target).then(() => true, () => false))) {
    throw new StudioError('ALREADY_EXISTS', `${target} already exists (choose another name, or overwrite)`, { file: target });
  }
}

/** A file being written sequentially under a temporary name; commit() renames it into place. */
export class AtomicFileWriter {
  private position = 0;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  private constructor(readonly target: string, readonly tmpPath: string, private readonly fh: FileHandle, private readonly signal?: AbortSignal) {}

  static async create(target: string, opts: AtomicOptions = {}): Promise<AtomicFileWriter> {
    throwIfAborted(opts.signal);
    await checkTarget(target, opts.overwrite ?? true);
    const tmp = tempName(target);
    return new AtomicFileWriter(target, tmp, await open(tmp, 'wx'), opts.signal);
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.position;
  }

  /** Appends `data`; rejects with CANCELLED once the signal fired. */
  async write(data: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new StudioError('INTERNAL', `${this.target}: write after the output was closed`, { file: this.target });
    throwIfAborted(this.signal);
    let done = 0;
    while (done < data.byteLength) {
      const { bytesWritten } = await this.fh.write(data, done, data.byteLength - done, this.position + done);
      done += bytesWritten;
    }
    this.position += data.byteLength;
  }

  async commit(): Promise<void> {
    throwIfAborted(this.signal);
    if (this.state !== 'open') throw new StudioError('INTERNAL', `${this.target}: commit after the output was closed`, { file: this.target });
    await this.fh.sync();
    await this.fh.close();
    this.state = 'committed';
    await rename(this.tmpPath, this.target);
  }

  /** Removes the temporary file; safe to call more than once, and after a failed commit. */
  async abort(): Promise<void> {
    if (this.state === 'committed') return;
    if (this.state === 'open') await this.fh.close().catch(() => {});
    this.state = 'aborted';
    await rm(this.tmpPath, { force: true });
  }
}

/**
 * Runs `write` with a fresh AtomicFileWriter for `target` and commits it; any
 * error or cancel removes the temporary file and is rethrown.
 */
export async function writeFileAtomically<T>(target: string, write: (out: AtomicFileWriter) => Promise<T>, opts: AtomicOptions = {}): Promise<T> {
  const out = await AtomicFileWriter.create(target, opts);
  try {
    const result = await write(out);
    await out.commit();
    return result;
  } catch (e) {
    await out.abort();
    throw e;
  }
}

/** Small whole-file writes (recipes, reports, config.json). */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicOptions = {}): Promise<void> {
  return writeFileAtomically(path, (out) => out.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data), opts);
}

async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(p);
    else if (entry.isFile()) {
      const fh = await open(p, 'r');
      await fh.sync().finally(() => fh.close());
    }
  }
}

/**
 * Writes a folder output: `write` fills a temporary sibling folder, which then
 * replaces `target` (an old target is moved aside and removed only after the
 * new one is in place). Error or cancel: the temporary folder is removed.
 */
export async function writeFolderAtomically<T>(target: string, write: (tmpDir: string) => Promise<T>, opts: AtomicOptions = {}): Promise<T> {
  throwIfAborted(opts.signal);
  await checkTarget(target, opts.overwrite ?? false);
  const tmp = tempName(target);
  await mkdir(tmp);
  try {
    const result = await write(tmp);
    throwIfAborted(opts.signal);
    await syncTree(tmp);
    const old = `${tmp}.old`;
    const replaced = await rename(target, old).then(() => true, () => false);
    try {
      await rename(tmp, target);
    } catch (e) {
      if (replaced) await rename(old, target).catch(() => {}); // put the previous output back
      throw e;
    }
    if (replaced) await rm(old, { recursive: true, force: true });
    return result;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
