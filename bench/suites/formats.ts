// Model files: streaming writers (safetensors, GGUF) against a plain
// write + fsync of the same bytes, and the GGUF header reader on a 150k-token
// vocabulary against reading the same bytes. Single-threaded JS: rows carry
// threads = 1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGguf } from '../../electron/studio/export/gguf-writer.js';
import { writeSafetensors } from '../../electron/studio/export/safetensors-writer.js';
import { readGgufFile } from '../../electron/studio/models/gguf-reader.js';
import { gguf } from '../../electron/studio/models/gguf-values.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';

async function plainWrite(path: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  await fh.write(bytes);
  await fh.sync();
  await fh.close();
}

async function headerRead(ctx: BenchContext, dir: string): Promise<void> {
  const n = 150_000;
  const tokens = Array.from({ length: n }, (_, i) => `Ġtok${i.toString(36)}`);
  const merges = tokens.slice(0, n - 1000).map((t) => `${t.slice(0, 3)} ${t.slice(3)}`);
  const p = join(dir, 'vocab.gguf');
  await writeGguf(p, {
    metadata: {
      'tokenizer.ggml.tokens': gguf.array('string', tokens),
      'tokenizer.ggml.merges': gguf.array('string', merges),
      'tokenizer.ggml.token_type': gguf.array('i32', tokens.map(() => 1)),
    },
    tensors: [],
  });
  const parse = await ctx.time(async () => readGgufFile(p), 5);
  const read = await ctx.time(async () => readFileSync(p), 5);
  ctx.log(`formats: GGUF header with ${n} tokens + ${merges.length} merges: ${(parse * 1e3).toFixed(1)} ms (reading its bytes: ${(read * 1e3).toFixed(1)} ms, ×${(parse / read).toFixed(1)})`);
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mcs-bench-formats-'));
  try {
    for (const shape of ctx.shapes) {
      const bytes = new Uint8Array(ctx.weights(shape).buffer);
      const rec = (op: string, format: string, seconds: number) => rows.push(ctx.record({ suite: 'formats', op, format, shape, threads: 1, seconds }));
      rec('write', 'plain write + fsync', await ctx.time(() => plainWrite(join(dir, 'plain.bin'), bytes)));
      rec('write', 'safetensors (atomic)', await ctx.time(() => writeSafetensors(join(dir, 'w.safetensors'), { tensors: [{ name: 'w', dtype: 'F32', shape, data: () => bytes }] })));
      rec('write', 'gguf (atomic)', await ctx.time(() => writeGguf(join(dir, 'w.gguf'), { metadata: {}, tensors: [{ name: 'w', type: 'F32', shape, data: () => bytes }] })));
    }
    await headerRead(ctx, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export const formatsSuite: BenchSuite = { name: 'formats', run };
