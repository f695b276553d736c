// Every way a safetensors file can lie, each refused with a message that names
// the file, the tensor and the problem — without a huge allocation or a hang.
import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensorsHeader } from '../../../electron/studio/models/safetensors.js';
import { expectStudioError } from './expect-error.js';
import { safetensorsBytes, tempDir } from './make-files.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const file = (bytes: Uint8Array) => tmp.file(bytes, '.safetensors');
const entry = (dtype: string, shape: unknown[], offsets: unknown) => ({ dtype, shape, data_offsets: offsets });

describe('safetensors reader refuses bad files', () => {
  it('reads a good file', () => {
    const p = file(safetensorsBytes({ __metadata__: { format: 'pt' }, b: entry('F16', [2], [8, 12]), a: entry('F32', [2], [0, 8]) }, 12));
    const h = readSafetensorsHeader(p);
    expect(h.metadata).toEqual({ format: 'pt' });
    expect(h.tensors.map((t) => [t.name, t.offset - h.dataStart, t.byteLength])).toEqual([['a', 0, 8], ['b', 8, 4]]);
  });

  it('a file shorter than the length field', async () => {
    const p = file(Buffer.from([1, 2, 3]));
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, problem: /only 3 bytes.*truncated/ });
  });

  it('a header that claims more bytes than exist', async () => {
    const p = file(safetensorsBytes({ a: entry('F32', [1], [0, 4]) }, 4, { claimLength: 5000n }));
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, problem: /claims 5000 bytes but only \d+ follow/ });
  });

  it('a 2 GB header is refused unread (sparse file, nothing allocated)', async () => {
    const p = join(tmp.dir, 'huge.safetensors');
    writeFileSync(p, safetensorsBytes('{}', 0, { claimLength: 2n ** 31n }));
    const fd = openSync(p, 'r+');
    ftruncateSync(fd, 2 ** 31 + 4096); // really that long, so only the size cap can refuse it
    closeSync(fd);
    const before = process.memoryUsage().arrayBuffers;
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, problem: /claims 2147483648 bytes, more than the 100 MB limit/ });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });

  it('a length of 2^64-1 (does not wrap around)', async () => {
    const p = file(safetensorsBytes('{}', 0, { claimLength: 2n ** 64n - 1n }));
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, problem: /more than the 100 MB limit/ });
  });

  it('bad JSON', async () => {
    const p = file(safetensorsBytes('{"a": {"dtype": "F32",'));
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, problem: /not valid JSON/ });
  });

  it('a header that is JSON but not an object', async () => {
    const p = file(safetensorsBytes('[1, 2]'));
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, problem: /not a JSON object/ });
  });

  it('non-string metadata', async () => {
    const p = file(safetensorsBytes({ __metadata__: { n: 3 } }));
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, problem: /__metadata__ entry 'n' is not a string/ });
  });

  it.each([
    ['a missing dtype', { shape: [1], data_offsets: [0, 4] }, /dtype is missing/],
    ['a missing shape', { dtype: 'F32', data_offsets: [0, 4] }, /shape is missing/],
    ['a negative dimension', entry('F32', [-1], [0, 4]), /dimension -1 .* not a non-negative integer/],
    ['a fractional dimension', entry('F32', [1.5], [0, 4]), /dimension 1.5/],
    ['a string dimension', entry('F32', ['4'], [0, 4]), /dimension 4 .*not a non-negative integer/],
    ['missing data_offsets', { dtype: 'F32', shape: [1] }, /data_offsets is not a pair/],
    ['one data offset', entry('F32', [1], [0]), /data_offsets is not a pair/],
    ['reversed data_offsets', entry('F32', [1], [4, 0]), /data_offsets \[4, 0\] are reversed/],
    ['data past the end of the file', entry('F32', [4], [0, 16]), /data ends at byte \d+ but the file has only \d+ bytes/],
    ['a byte count that does not match the shape', entry('F32', [3], [0, 8]), /holds 8 bytes but shape \[3\] of F32 needs 12/],
    ['a shape whose element count overflows', entry('F32', [2 ** 40, 2 ** 40], [0, 8]), /too many elements/],
    ['an unknown dtype', entry('F31', [2], [0, 8]), /unknown dtype 'F31'/],
  ])('%s', async (_what, e, problem) => {
    const p = file(safetensorsBytes({ w: e }, 8));
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, tensor: 'w', problem });
  });

  it.each(['BOOL', 'F8_E4M3', 'F8_E5M2', 'U32'])('the known but unsupported dtype %s', async (dtype) => {
    const p = file(safetensorsBytes({ w: entry(dtype, [8], [0, 8]) }, 8));
    await expectStudioError(() => readSafetensorsHeader(p), { code: 'UNSUPPORTED', file: p, tensor: 'w', problem: new RegExp(`unsupported dtype ${dtype}`) });
  });

  it('overlapping tensors', async () => {
    const p = file(safetensorsBytes({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, 12));
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, tensor: 'b', problem: /overlaps tensor 'a'/ });
  });

  it('a truncated data section', async () => {
    const good = safetensorsBytes({ a: entry('F32', [4], [0, 16]) }, 16);
    const p = file(good.subarray(0, good.length - 3));
    await expectStudioError(() => readSafetensorsHeader(p), { file: p, tensor: 'a', problem: /truncated/ });
  });

  it('a missing file is NOT_FOUND', async () => {
    const p = join(tmp.dir, 'nope.safetensors');
    await expectStudioError(() => readSafetensorsHeader(p), { code: 'NOT_FOUND', file: p, problem: /no such file/ });
  });

  it('empty tensors may share an offset', () => {
    const p = file(safetensorsBytes({ a: entry('F32', [0], [0, 0]), b: entry('F32', [1], [0, 4]), c: entry('I8', [0, 3], [4, 4]) }, 4));
    expect(readSafetensorsHeader(p).tensors.map((t) => t.name)).toEqual(['a', 'b', 'c']);
  });
});
