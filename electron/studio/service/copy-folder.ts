// Copies a finished run's folder to where the user exports it: a reflink where
// the file system offers one (instant), otherwise in chunks so Cancel is
// honoured within a chunk and progress is reported by bytes.
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { cancelled } from '../../common/errors.js';

const CHUNK = 8 << 20;

export interface FileToCopy {
  rel: string;
  bytes: number;
}

export async function listFiles(dir: string): Promise<FileToCopy[]> {
  const out: FileToCopy[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push({ rel: relative(dir, p), bytes: (await stat(p)).size });
    }
  };
  await walk(dir);
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

async function copyChunked(from: string, to: string, signal: AbortSignal | undefined, onBytes: (n: number) => void): Promise<void> {
  // 'w': a failed reflink attempt may have left an empty file in our temporary folder.
  const dst = await open(to, 'w');
  let pos = 0;
  const sink = {
    async write(data: Uint8Array) {
      let written = 0;
      while (written < data.byteLength) written += (await dst.write(data, written, data.byteLength - written, pos + written)).bytesWritten;
      pos += data.byteLength;
    },
  };
  try {
    await copyInto(from, sink, signal, onBytes);
  } finally {
    await dst.close();
  }
}

/**
 * Copies every file of `from` into the (existing, empty) folder `to`, telling
 * `onBytes` how many bytes of which file were just copied.
 */
export async function copyFolder(
  from: string,
  to: string,
  files: FileToCopy[],
  signal: AbortSignal | undefined,
  onBytes: (n: number, file: FileToCopy, index: number) => void,
): Promise<void> {
  for (const [i, f] of files.entries()) {
    if (signal?.aborted) throw cancelled();
    const target = join(to, f.rel);
    await mkdir(join(target, '..'), { recursive: true });
    const reflinked = await copyFile(join(from, f.rel), target, constants.COPYFILE_FICLONE_FORCE).then(() => true, () => false);
    if (reflinked) onBytes(f.bytes, f, i);
    else await copyChunked(join(from, f.rel), target, signal, (n) => onBytes(n, f, i));
  }
}

/** Streams one file into an atomic writer (GGUF exports), in chunks so Cancel stops it. */
export async function copyInto(from: string, out: { write(data: Uint8Array): Promise<void> }, signal: AbortSignal | undefined, onBytes: (n: number) => void): Promise<void> {
  const src = await open(from, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; ; ) {
      if (signal?.aborted) throw cancelled();
      const { bytesRead } = await src.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) break;
      await out.write(buf.subarray(0, bytesRead));
      pos += bytesRead;
      onBytes(bytesRead);
    }
  } finally {
    await src.close();
  }
}
