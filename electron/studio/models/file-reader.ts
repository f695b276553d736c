// Bounded reads of model file headers. Every read is checked against the real
// file size first, so a header that lies about its length gives a clear error
// instead of a huge allocation or a short read.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StudioError, badFile } from '../../common/errors.js';

export class BoundedFile {
  private constructor(readonly path: string, private fd: number | undefined, readonly size: number) {}

  /** Opens `path` for reading; NOT_FOUND when it does not exist, BAD_FILE when it is not a file. */
  static open(path: string): BoundedFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new StudioError('NOT_FOUND', `${path}: no such file`, { file: path });
      throw new StudioError('BAD_FILE', `${path}: cannot be opened (${code ?? String(e)})`, { file: path });
    }
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      throw badFile(path, 'is not a regular file');
    }
    return new BoundedFile(path, fd, st.size);
  }

  /** Bytes [offset, offset + length); `what` names the part for the error message. */
  read(offset: number, length: number, what: string, tensor?: string): Buffer {
    if (this.fd === undefined) throw new StudioError('INTERNAL', `${this.path}: read after close`, { file: this.path });
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw badFile(this.path, `${what}: impossible range (offset ${offset}, length ${length})`, tensor);
    }
    if (offset + length > this.size) {
      throw badFile(this.path, `${what} needs bytes ${offset}…${offset + length} but the file has only ${this.size} bytes (truncated?)`, tensor);
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, offset + done);
      if (n === 0) throw badFile(this.path, `${what}: the file ended early while reading (it changed while open?)`, tensor);
      done += n;
    }
    return buf;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Runs `fn` with the file open, closing it whatever happens. */
export function withFile<T>(path: string, fn: (f: BoundedFile) => T): T {
  const f = BoundedFile.open(path);
  try {
    return fn(f);
  } finally {
    f.close();
  }
}
