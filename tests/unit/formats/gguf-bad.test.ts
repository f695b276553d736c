// Corrupt GGUF files, one problem each: refused with a message naming the file,
// the tensor or key, and the problem — quickly, without a huge allocation.
import { afterAll, describe, expect, it } from 'vitest';
import { readGgufFile } from '../../../electron/studio/models/gguf-reader.js';
import { openModel } from '../../../electron/studio/models/open-model.js';
import { expectStudioError } from './expect-error.js';
import { ByteWriter, ggufBytes, tempDir } from './make-files.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const file = (bytes: Uint8Array) => tmp.file(bytes, '.gguf');
const arch = ['general.architecture', (w: ByteWriter) => w.u32(8).str('llama')] as [string, (w: ByteWriter) => void];
const bad = (bytes: Uint8Array, problem: RegExp, tensor?: string, code?: 'UNSUPPORTED') => {
  const p = file(bytes);
  return expectStudioError(() => readGgufFile(p), { file: p, tensor, problem, code });
};

describe('GGUF header', () => {
  it('bad magic', () => bad(Buffer.from('GGML\x03\x00\x00\x00' + '\0'.repeat(16), 'latin1'), /not a GGUF file \(it starts with bytes 47 47 4d 4c/));
  it('a file shorter than the magic', () => bad(Buffer.from('GG'), /only 2 bytes/));
  it('an unknown version', () => bad(ggufBytes({ version: 7 }), /unknown GGUF version 7/));
  it('version 1 is UNSUPPORTED', () => bad(ggufBytes({ version: 1 }), /GGUF version 1/, undefined, 'UNSUPPORTED'));
  it('big-endian is UNSUPPORTED', () => bad(ggufBytes({ version: 0x03000000 }), /big-endian/, undefined, 'UNSUPPORTED'));
  it('a file cut inside the header', () => bad(ggufBytes({}).subarray(0, 62), /value of 'general.architecture' at byte 56 needs \d+ bytes but only \d+ remain \(truncated\?\)/));
  it('a huge tensor count', () => bad(new ByteWriter().u32(0x46554747).u32(3).u64(2n ** 40n).u64(0).build(), /tensor count of 1099511627776 cannot fit/));
  it('a tensor count beyond 2^53', () => bad(new ByteWriter().u32(0x46554747).u32(3).u64(2n ** 63n).u64(0).build(), /tensor count of 9223372036854775808 is impossibly large/));
  it('a huge key/value count', () => bad(new ByteWriter().u32(0x46554747).u32(3).u64(0).u64(1e9).build(), /key\/value count of 1000000000 cannot fit/));
});

describe('GGUF metadata', () => {
  it('a huge array count fails at once', async () => {
    const t = performance.now();
    await bad(ggufBytes({ kv: [arch, ['tokens', (w) => w.u32(9).u32(8).u64(2n ** 50n)]] }), /element count of 'tokens' of 1125899906842624 cannot fit/);
    expect(performance.now() - t).toBeLessThan(1000);
  });
  it('a huge count of nested arrays', () => bad(ggufBytes({ kv: [['x', (w) => w.u32(9).u32(9).u64(1e12)]] }), /element count of 'x' of 1000000000000 cannot fit/));
  it('a string longer than the file', () => bad(ggufBytes({ kv: [['name', (w) => w.u32(8).u64(1e6).raw(Buffer.from('abc'))]] }), /value of 'name' at byte \d+ needs 1000000 bytes but only \d+ remain/));
  it('a string element longer than the file', () => bad(ggufBytes({ kv: [['t', (w) => w.u32(9).u32(8).u64(2).str('a').u64(5e6)]] }), /element 1 of 't' at byte \d+ needs 5000000 bytes/));
  it('a key length beyond 2^53', () => bad(new ByteWriter().u32(0x46554747).u32(3).u64(0).u64(1).u64(2n ** 62n).raw(Buffer.alloc(32)).build(), /length of metadata key 0 of 4611686018427387904 is impossibly large/));
  it('an unknown value type', () => bad(ggufBytes({ kv: [['k', (w) => w.u32(13).u32(0)]] }), /metadata 'k' has unknown value type 13/));
  it('an array of an unknown type', () => bad(ggufBytes({ kv: [['k', (w) => w.u32(9).u32(99).u64(0)]] }), /'k' is an array of unknown type 99/));
  it('arrays nested too deep', () => {
    const deep = (w: ByteWriter) => { w.u32(9); for (let i = 0; i < 20; i++) w.u32(9).u64(1); w.u32(4).u64(0); };
    return bad(ggufBytes({ kv: [['k', deep]] }), /nests arrays more than 8 deep/);
  });
  it('a key that appears twice', () => bad(ggufBytes({ kv: [arch, arch] }), /metadata key 'general.architecture' appears twice/));
  it('an alignment that is not a power of two', () => bad(ggufBytes({ kv: [['general.alignment', (w) => w.u32(4).u32(24)]] }), /general.alignment must be a power of two/));
  it('an alignment stored as i32', () => bad(ggufBytes({ kv: [['general.alignment', (w) => w.u32(5).i32(32)]] }), /general.alignment must be a power of two stored as u32/));
});

describe('GGUF tensor infos', () => {
  it('a tensor offset past the end', () => bad(ggufBytes({ tensors: [{ name: 'w', ne: [8], offset: 4096 }], dataBytes: 32 }), /data \(32 bytes at byte \d+\) runs past the end of the file/, 'w'));
  it('truncated tensor data', () => bad(ggufBytes({ tensors: [{ name: 'a', ne: [8] }, { name: 'b', ne: [64] }], dataBytes: 100 }), /runs past the end of the file .*truncated/, 'b'));
  it('an unaligned offset', () => bad(ggufBytes({ tensors: [{ name: 'w', ne: [4], offset: 8 }], dataBytes: 64 }), /data offset 8 is not a multiple of the alignment 32/, 'w'));
  it('overlapping tensors', () => bad(ggufBytes({ tensors: [{ name: 'a', ne: [16], offset: 0 }, { name: 'b', ne: [16], offset: 32 }], dataBytes: 128 }), /overlaps tensor 'a'/, 'b'));
  it('an IQ type other than IQ4_NL/IQ4_XS is UNSUPPORTED', () => bad(ggufBytes({ tensors: [{ name: 'w', ne: [256], type: 21 }], dataBytes: 1024 }), /type IQ3_S is not supported/, 'w', 'UNSUPPORTED'));
  it('an unknown ggml type', () => bad(ggufBytes({ tensors: [{ name: 'w', ne: [4], type: 77 }] }), /unknown ggml type id 77/, 'w'));
  it('too many dimensions', () => bad(ggufBytes({ tensors: [{ name: 'w', ne: [1, 1, 1, 1, 2] }] }), /5 dimensions \(ggml allows at most 4\)/, 'w'));
  it('block rows that are not whole blocks', () => bad(ggufBytes({ tensors: [{ name: 'w', ne: [33, 2], type: 2 }], dataBytes: 256 }), /rows of 33 elements are not a whole number of Q4_0 blocks of 32/, 'w'));
  it('dimensions whose product overflows', () => bad(ggufBytes({ tensors: [{ name: 'w', ne: [2 ** 30, 2 ** 30, 2 ** 30] }], dataBytes: 32 }), /too many elements/, 'w'));
  it('a tensor name that appears twice', () => bad(ggufBytes({ tensors: [{ name: 'w', ne: [4] }, { name: 'w', ne: [4] }] }), /the tensor name appears twice/, 'w'));
  it('a huge tensor count after valid metadata', () => {
    const good = ggufBytes({ tensors: [{ name: 'w', ne: [4] }] });
    good.writeBigUInt64LE(10n ** 12n, 8);
    return bad(good, /tensor count of 1000000000000 cannot fit/);
  });
});

describe('GGUF models', () => {
  it('an unknown architecture is UNSUPPORTED by name', async () => {
    const p = file(ggufBytes({ kv: [['general.architecture', (w) => w.u32(8).str('mamba')]] }));
    await expectStudioError(() => openModel(p), { code: 'UNSUPPORTED', file: p, problem: /architecture 'mamba' is not supported/ });
  });
  it('missing hyperparameters are named', async () => {
    const p = file(ggufBytes({ kv: [arch, ['llama.embedding_length', (w) => w.u32(4).u32(64)]] }));
    await expectStudioError(() => openModel(p), { file: p, problem: /llama.attention.head_count is missing/ });
  });
});
