// GGUF writer: byte-identical rewrite of llama.cpp's own file, every value type
// read back with its type, block tensors, checks on bad input, laziness, cancel.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeGguf, type GgufTensorSource } from '../../../electron/studio/export/gguf-writer.js';
import { readGgufFile, typedMetadata } from '../../../electron/studio/models/gguf-reader.js';
import { gguf } from '../../../electron/studio/models/gguf-values.js';
import { expectStudioError } from './expect-error.js';
import { tempDir } from './make-files.js';

const F32 = resolve('tests/fixtures/formats/stories260K-f32.gguf');
const tmp = tempDir();
afterAll(tmp.cleanup);
const out = (name: string) => join(tmp.dir, name);
const leftovers = () => readdirSync(tmp.dir).filter((f) => f.includes('.tmp'));

describe('GGUF writer', () => {
  it('rewrites llama.cpp stories260K-f32.gguf byte for byte', async () => {
    const g = readGgufFile(F32);
    const raw = readFileSync(F32);
    const p = out('rewrite.gguf');
    const r = await writeGguf(p, {
      metadata: typedMetadata(g),
      tensors: g.tensors.map((t) => ({ name: t.name, type: t.dtype, shape: t.shape, data: () => raw.subarray(t.offset, t.offset + t.byteLength) })),
    });
    expect(r.bytes).toBe(raw.length);
    expect(r.dataStart).toBe(g.dataStart);
    expect(Buffer.compare(readFileSync(p), raw)).toBe(0);
  });

  it('every value type round-trips with its type', async () => {
    const metadata = {
      'general.architecture': gguf.string('llama'),
      u8: gguf.u8(255), i8: gguf.i8(-128), u16: gguf.u16(65535), i16: gguf.i16(-32768),
      u32: gguf.u32(4294967295), i32: gguf.i32(-2147483648), f32: gguf.f32(0.1), f64: gguf.f64(0.1),
      bool: gguf.bool(false), string: gguf.string('▁héllo\n"quoted"'), empty: gguf.string(''),
      u64: gguf.u64(2n ** 64n - 1n), u64small: gguf.u64(7), i64: gguf.i64(-(2n ** 63n)), i64small: gguf.i64(-3),
      tokens: gguf.array('string', ['<unk>', 'Ġthe', '', '日本']), scores: gguf.array('f32', [0, -1.5, 3]),
      types: gguf.array('i32', [1, 2, 3, 6]), ids: gguf.array('u32', [0, 4000000000]), flags: gguf.array('bool', [true, false]),
      big: gguf.array('u64', [1, 2n ** 60n]), nested: gguf.array({ array: 'i16' }, [[1, -2], [], [3]]),
      deep: gguf.array({ array: { array: 'string' } }, [[['a', 'b']], [[]]]), none: gguf.array('f64', []),
    };
    const p = out('types.gguf');
    await writeGguf(p, { metadata, tensors: [] });
    const g = readGgufFile(p);
    expect(Object.keys(g.metadata)).toEqual(Object.keys(metadata));
    for (const [k, v] of Object.entries(metadata)) {
      expect(g.types[k], k).toEqual(v.type);
      const want = v.type === 'f32' ? Math.fround(v.value as number) : v.value;
      const norm = (x: unknown): unknown => (typeof x === 'bigint' && x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : Array.isArray(x) ? x.map(norm) : x);
      expect(g.metadata[k], k).toEqual(norm(want));
    }
  });

  it('block and integer tensors, scalars, alignment 64', async () => {
    const q8 = new Uint8Array(2 * 34).map((_, i) => i);
    const i16 = new Uint8Array(new Int16Array([1, -2, 3]).buffer);
    const tensors: GgufTensorSource[] = [
      { name: 'q', type: 'Q8_0', shape: [2, 32], data: () => q8 },
      { name: 'n', type: 'I16', shape: [3], data: () => i16 },
      { name: 'k', type: 'Q4_K', shape: [1, 256], data: () => new Uint8Array(144).fill(7) },
    ];
    const p = out('blocks.gguf');
    await writeGguf(p, { metadata: { 'general.architecture': gguf.string('llama') }, tensors }, { alignment: 64 });
    const g = readGgufFile(p);
    expect(g.alignment).toBe(64);
    expect(g.types['general.alignment']).toBe('u32');
    const raw = readFileSync(p);
    expect(g.tensors.map((t) => [t.name, t.dtype, t.shape, t.ne, (t.offset - g.dataStart) % 64])).toEqual([
      ['q', 'Q8_0', [2, 32], [32, 2], 0], ['n', 'I16', [3], [3], 0], ['k', 'Q4_K', [1, 256], [256, 1], 0],
    ]);
    expect(raw.subarray(g.tensors[0].offset, g.tensors[0].offset + 68)).toEqual(Buffer.from(q8));
    expect(raw.subarray(g.tensors[1].offset, g.tensors[1].offset + 6)).toEqual(Buffer.from(i16));
  });

  it('asks for tensor data lazily, in order, one at a time', async () => {
    const calls: string[] = [];
    let live = 0;
    const tensor = (name: string): GgufTensorSource => ({
      name, type: 'F32', shape: [4],
      data: async () => {
        calls.push(name);
        expect(++live).toBe(1);
        await new Promise((r) => setTimeout(r, 1));
        live--;
        return new Uint8Array(16);
      },
    });
    const progress: string[] = [];
    await writeGguf(out('lazy.gguf'), { metadata: [], tensors: [tensor('a'), tensor('b'), tensor('c')] }, { onProgress: (_d, _t, stage) => progress.push(stage) });
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(progress).toEqual(['header', 'a', 'b', 'c']);
  });

  it.each([
    ['a u8 of 300', { metadata: { x: gguf.u8(300) }, tensors: [] }, /metadata 'x' \(u8\): 300 is not a u8/],
    ['an i32 of 1.5', { metadata: { x: gguf.i32(1.5) }, tensors: [] }, /1.5 is not a i32/],
    ['a string array with a number', { metadata: { x: gguf.array('string', ['a', 3 as unknown as string]) }, tensors: [] }, /element 1: 3 is not a string/],
    ['a u64 beyond 2^64', { metadata: { x: gguf.u64(2n ** 64n) }, tensors: [] }, /is not a u64/],
    ['a duplicated key', { metadata: [['x', gguf.u8(1)], ['x', gguf.u8(2)]] as [string, ReturnType<typeof gguf.u8>][], tensors: [] }, /metadata key 'x' given twice/],
    ['an alignment that is not a power of two', { metadata: { 'general.alignment': gguf.u32(48) }, tensors: [] }, /alignment 48 is not a power of two/],
  ])('refuses %s', async (_what, input, problem) => {
    const p = out('bad.gguf');
    await expectStudioError(() => writeGguf(p, input as Parameters<typeof writeGguf>[1]), { code: 'INVALID_ARGUMENT', file: p, problem });
    expect(readdirSync(tmp.dir)).not.toContain('bad.gguf');
  });

  it.each([
    ['U8 (no GGUF type)', { name: 'w', type: 'U8', shape: [4], data: () => new Uint8Array(4) }, /type U8 cannot be stored in GGUF/],
    ['rows that are not whole blocks', { name: 'w', type: 'Q4_0', shape: [2, 33], data: () => new Uint8Array(0) }, /rows of 33 elements/],
    ['five dimensions', { name: 'w', type: 'F32', shape: [1, 1, 1, 1, 1], data: () => new Uint8Array(4) }, /5 dimensions/],
    ['a wrong byte count', { name: 'w', type: 'F16', shape: [4], data: () => new Uint8Array(7) }, /7 bytes supplied, F16 \[4\] takes 8/],
  ] as [string, GgufTensorSource, RegExp][])('refuses a tensor with %s and leaves no file', async (_what, t, problem) => {
    const p = out('badt.gguf');
    await expectStudioError(() => writeGguf(p, { metadata: {}, tensors: [t] }), { code: 'INVALID_ARGUMENT', file: p, tensor: 'w', problem });
    expect(readdirSync(tmp.dir)).not.toContain('badt.gguf');
    expect(leftovers()).toEqual([]);
  });

  it('a cancel or a failing tensor mid-file leaves nothing, and an old file untouched', async () => {
    const p = out('cancel.gguf');
    await writeGguf(p, { metadata: { v: gguf.u32(1) }, tensors: [] });
    const before = readFileSync(p);
    const ac = new AbortController();
    const tensors: GgufTensorSource[] = [
      { name: 'a', type: 'F32', shape: [4], data: () => new Uint8Array(16) },
      { name: 'b', type: 'F32', shape: [4], data: () => { ac.abort(); return new Uint8Array(16); } },
      { name: 'c', type: 'F32', shape: [4], data: () => new Uint8Array(16) },
    ];
    await expectStudioError(() => writeGguf(p, { metadata: {}, tensors }, { signal: ac.signal }), { code: 'CANCELLED', problem: /cancelled/ });
    expect(readFileSync(p)).toEqual(before);
    tensors[1].data = () => { throw new Error('kernel failed'); };
    await expect(writeGguf(p, { metadata: {}, tensors })).rejects.toThrow('kernel failed');
    expect(readFileSync(p)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });
});
