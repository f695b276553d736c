// safetensors writer: the sample rewritten and read back equal, every dtype,
// an 8-byte aligned header, checks on bad input, cancel leaves nothing.
import { mkdirSync, readFileSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors, type SafetensorsTensorSource } from '../../../electron/studio/export/safetensors-writer.js';
import { openModel } from '../../../electron/studio/models/open-model.js';
import { readSafetensorsHeader } from '../../../electron/studio/models/safetensors.js';
import { openTensorData } from '../../../electron/studio/models/tensor-data.js';
import type { PlainDType } from '../../../electron/studio/models/types.js';
import { expectStudioError } from './expect-error.js';
import { tempDir } from './make-files.js';

const SAMPLE = resolve('resources/sample/stories260K');
const tmp = tempDir();
afterAll(tmp.cleanup);
const leftovers = (dir = tmp.dir) => readdirSync(dir).filter((f) => f.includes('.tmp'));

describe('safetensors writer', () => {
  it('rewrites the sample; it reads back equal and opens as a model', async () => {
    const m = await openModel(SAMPLE);
    const data = openTensorData(m);
    const dir = join(tmp.dir, 'copy');
    mkdirSync(dir);
    copyFileSync(join(SAMPLE, 'config.json'), join(dir, 'config.json'));
    const p = join(dir, 'model.safetensors');
    await writeSafetensors(p, {
      metadata: { format: 'pt' },
      tensors: m.tensors.map((t) => ({ name: t.name, dtype: t.dtype as PlainDType, shape: t.shape, data: () => data.bytes(t) })),
    });
    const h = readSafetensorsHeader(p);
    expect(h.dataStart % 8).toBe(0);
    expect(h.metadata).toEqual({ format: 'pt' });
    const copy = await openModel(dir);
    expect(copy.config).toEqual(m.config);
    const back = openTensorData(copy);
    expect(copy.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(m.tensors.map((t) => [t.name, t.dtype, t.shape]));
    for (const t of m.tensors) expect(Buffer.compare(back.bytes(t.name), data.bytes(t)), t.name).toBe(0);
    // Same bytes as the original file's data section, in the same order.
    const orig = readSafetensorsHeader(join(SAMPLE, 'model.safetensors'));
    expect(readFileSync(p).subarray(h.dataStart)).toEqual(readFileSync(join(SAMPLE, 'model.safetensors')).subarray(orig.dataStart));
    back.close();
    data.close();
  });

  it('every plain dtype, empty tensors and scalars; no __metadata__ when none', async () => {
    const dtypes: [PlainDType, number][] = [['F64', 8], ['F32', 4], ['F16', 2], ['BF16', 2], ['I64', 8], ['I32', 4], ['I16', 2], ['I8', 1], ['U8', 1]];
    const tensors: SafetensorsTensorSource[] = dtypes.map(([dtype, size], i) => ({
      name: `t.${dtype}`, dtype, shape: [3, 1], data: () => new Uint8Array(3 * size).map((_, j) => i * 16 + j),
    }));
    tensors.push({ name: 'empty', dtype: 'F32', shape: [0, 5], data: () => new Uint8Array(0) }, { name: 'scalar', dtype: 'I32', shape: [], data: () => new Uint8Array([1, 0, 0, 0]) });
    const p = join(tmp.dir, 'dtypes.safetensors');
    await writeSafetensors(p, { tensors });
    const h = readSafetensorsHeader(p);
    expect(h.metadata).toEqual({});
    expect(JSON.parse(readFileSync(p).subarray(8, h.dataStart).toString())).not.toHaveProperty('__metadata__');
    const raw = readFileSync(p);
    for (const [i, t] of tensors.entries()) {
      const e = h.tensors.find((x) => x.name === t.name)!;
      expect([e.dtype, e.shape]).toEqual([t.dtype, t.shape]);
      expect(raw.subarray(e.offset, e.offset + e.byteLength)).toEqual(Buffer.from(tensors[i].data() as Uint8Array));
    }
  });

  it.each([
    ['a block dtype', { name: 'w', dtype: 'Q8_0' as PlainDType, shape: [32], data: () => new Uint8Array(34) }, /dtype Q8_0 cannot be stored in safetensors/],
    ['a wrong byte count', { name: 'w', dtype: 'BF16', shape: [2, 2], data: () => new Uint8Array(6) }, /6 bytes supplied, BF16 \[2, 2\] takes 8/],
    ['a negative dimension', { name: 'w', dtype: 'F32', shape: [-1], data: () => new Uint8Array(0) }, /dimension -1/],
  ] as [string, SafetensorsTensorSource, RegExp][])('refuses %s and leaves no file', async (_what, t, problem) => {
    const p = join(tmp.dir, 'bad.safetensors');
    await expectStudioError(() => writeSafetensors(p, { tensors: [t] }), { code: 'INVALID_ARGUMENT', file: p, tensor: 'w', problem });
    expect(readdirSync(tmp.dir)).not.toContain('bad.safetensors');
    expect(leftovers()).toEqual([]);
  });

  it('refuses duplicate names and non-string metadata', async () => {
    const p = join(tmp.dir, 'dup.safetensors');
    const t: SafetensorsTensorSource = { name: 'w', dtype: 'U8', shape: [1], data: () => new Uint8Array(1) };
    await expectStudioError(() => writeSafetensors(p, { tensors: [t, t] }), { code: 'INVALID_ARGUMENT', tensor: 'w', problem: /written twice/ });
    await expectStudioError(() => writeSafetensors(p, { metadata: { n: 1 as unknown as string }, tensors: [t] }), { code: 'INVALID_ARGUMENT', problem: /__metadata__ 'n' is not a string/ });
  });

  it('a cancel part-way leaves the old file and no temporary', async () => {
    const p = join(tmp.dir, 'keep.safetensors');
    writeFileSync(p, 'old');
    const ac = new AbortController();
    const tensors: SafetensorsTensorSource[] = ['a', 'b', 'c'].map((name) => ({
      name, dtype: 'F32', shape: [2], data: () => { if (name === 'b') ac.abort(); return new Uint8Array(8); },
    }));
    await expectStudioError(() => writeSafetensors(p, { tensors }, { signal: ac.signal }), { code: 'CANCELLED', problem: /cancelled/ });
    expect(readFileSync(p, 'utf8')).toBe('old');
    expect(leftovers()).toEqual([]);
  });
});
