// llama.cpp imatrix files (.dat): a file llama-imatrix wrote for the sample
// (fixture), byte-exact round trips, matching to a model, and bad input.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../electron/common/errors.js';
import {
  imatrixEntry, matchImatrix, parseImatrix, quantizationWeights, readImatrixFile, serializeImatrix, writeImatrixFile, type Imatrix,
} from '../../../electron/studio/quant/imatrix-file.js';

const FILE = 'tests/fixtures/imatrix/stories260K.imatrix.dat';
const bytes = new Uint8Array(readFileSync(FILE));
// The sample's GGUF tensors (names and shapes as llama.cpp's F32 file has them).
const mixes = JSON.parse(readFileSync('tests/fixtures/gguf-mixes/llamacpp-mixes.json', 'utf8'));
const sampleTensors = (mixes.models.find((m: { id: string }) => m.id === 'stories260K').tensors as [string, number[]][]).map(([name, shape]) => ({ name, shape }));

describe('a file llama-imatrix wrote (fixture)', () => {
  const m = parseImatrix(bytes, FILE);

  it('reads every entry, the chunk count and the dataset', () => {
    expect(m.entries).toHaveLength(36);
    expect(m.chunks).toBe(8);
    expect(m.dataset).toMatch(/tinystories-valid-excerpt\.txt$/);
    for (const e of m.entries) expect(e.ncall).toBe(8);
    const names = new Set(m.entries.map((e) => e.name));
    for (let l = 0; l < 5; l++)
      for (const t of ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down']) expect(names.has(`blk.${l}.${t}.weight`)).toBe(true);
    expect(names.has('output.weight')).toBe(true);
  });

  it('holds what llama-imatrix measured: one value per input column, shared inputs equal', () => {
    const v = (n: string) => m.entries.find((e) => e.name === n)!.values;
    expect(v('blk.0.attn_q.weight')).toHaveLength(64);
    expect(v('blk.0.ffn_down.weight')).toHaveLength(172);
    for (let l = 0; l < 5; l++) {
      // q, k and v read the same normalized input, gate and up too: the same squares.
      expect(Array.from(v(`blk.${l}.attn_k.weight`))).toEqual(Array.from(v(`blk.${l}.attn_q.weight`)));
      expect(Array.from(v(`blk.${l}.attn_v.weight`))).toEqual(Array.from(v(`blk.${l}.attn_q.weight`)));
      expect(Array.from(v(`blk.${l}.ffn_up.weight`))).toEqual(Array.from(v(`blk.${l}.ffn_gate.weight`)));
    }
    for (const e of m.entries) expect(e.values.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
  });

  it('writes back to the same bytes', () => {
    expect(serializeImatrix(m).equals(Buffer.from(bytes))).toBe(true);
  });

  it('matches the sample, giving llama-quantize\'s weights (value ÷ ncall in float32)', () => {
    const { weights, skipped } = matchImatrix(m, sampleTensors, FILE, 'stories260K');
    expect(skipped).toEqual([]);
    expect(weights.size).toBe(36);
    const e = m.entries[0], w = weights.get(e.name)!;
    for (let i = 0; i < w.length; i++) expect(w[i]).toBe(Math.fround(e.values[i] / 8));
  });
});

describe('writing', () => {
  it('stores (Σx² ÷ count) · ncall as llama-imatrix does, atomically', async () => {
    const e = imatrixEntry('blk.0.ffn_down.weight', [4, 9, 0.5], [2, 3, 2], 10);
    expect(Array.from(e.values)).toEqual([20, 30, 2.5]);
    expect(Array.from(quantizationWeights(e))).toEqual([2, 3, 0.25]);
    const dir = mkdtempSync(join(tmpdir(), 'mcs-imatrix-'));
    try {
      const m: Imatrix = { entries: [e], chunks: 10, dataset: 'calib.txt' };
      await writeImatrixFile(join(dir, 'x.dat'), m);
      expect(await readImatrixFile(join(dir, 'x.dat'))).toEqual(m);
      const bare = parseImatrix(serializeImatrix({ entries: [e] }), 'bare');
      expect(bare.chunks).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad input gets a clear error naming the file and tensor', () => {
  const m = parseImatrix(bytes, FILE);
  const bad = (b: Uint8Array, re: RegExp) => {
    let err: unknown;
    try {
      parseImatrix(b, 'x.dat');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).code).toBe('BAD_FILE');
    expect((err as Error).message).toMatch(re);
  };
  const withInt = (at: number, v: number) => {
    const b = new Uint8Array(bytes);
    new DataView(b.buffer).setInt32(at, v, true);
    return b;
  };

  it('truncated files, impossible counts, trailing bytes, duplicates', () => {
    bad(bytes.subarray(0, 2), /x\.dat: truncated: entry count missing/);
    bad(withInt(0, 0), /not an imatrix: 0 entries/);
    bad(withInt(0, 1e8), /1{1}0{8} entries cannot fit/);
    bad(withInt(4, 1e6), /name of entry 1 of 1000000 bytes .* does not fit/);
    const nameLen = new DataView(bytes.buffer, bytes.byteOffset).getInt32(4, true);
    bad(withInt(8 + nameLen + 4, -3), /tensor 'blk\.4\.ffn_down\.weight': -3 values/);
    bad(withInt(8 + nameLen + 4, 1e7), /blk\.4\.ffn_down\.weight': truncated: 10000000 values/);
    bad(withInt(8 + nameLen, -1), /negative call count -1/);
    bad(bytes.subarray(0, 100), /36 entries cannot fit in 100 bytes/);
    bad(bytes.subarray(0, 1000), /truncated: \d+ values need/);
    bad(new Uint8Array([...bytes, 1, 2, 3]), /3 unexpected bytes after the dataset name/);
    const twice = serializeImatrix({ entries: [m.entries[0], m.entries[0]] });
    bad(twice, /'blk\.4\.ffn_down\.weight': appears twice/);
  });

  it('an imatrix for another model, unknown names, wrong column counts, NaN and negative values', () => {
    const other = { entries: [{ name: 'model.layers.0.mlp.down_proj.weight', ncall: 1, values: new Float32Array(11008) }] };
    expect(() => matchImatrix(other, sampleTensors, 'o.dat', 'stories260K')).toThrow(/o\.dat: an importance matrix for another model: none of its 1 tensor names \(model\.layers\.0\.mlp\.down_proj\.weight\) is in stories260K/);
    const extra = { entries: [...m.entries, { name: 'blk.9.attn_q.weight', ncall: 8, values: new Float32Array(64).fill(1) }] };
    expect(() => matchImatrix(extra, sampleTensors, 'e.dat', 'stories260K')).toThrow(/names 1 tensor\(s\) that stories260K does not have: blk\.9\.attn_q\.weight/);
    const wide = { entries: [{ name: 'blk.0.ffn_down.weight', ncall: 8, values: new Float32Array(64).fill(1) }] };
    expect(() => matchImatrix(wide, sampleTensors, 'w.dat')).toThrow(/w\.dat: tensor 'blk\.0\.ffn_down\.weight': 64 values, but the tensor has 172 columns \(an imatrix for another model\?\)/);
    for (const v of [NaN, -1, Infinity]) {
      const values = new Float32Array(64).fill(1);
      values[5] = v;
      expect(() => matchImatrix({ entries: [{ name: 'blk.1.attn_v.weight', ncall: 8, values }] }, sampleTensors, 'n.dat')).toThrow(/tensor 'blk\.1\.attn_v\.weight': value 5 is .*; importance values must be finite and not negative/);
    }
  });

  it('skips a token_embd entry of another size, as llama-quantize does', () => {
    const emb = { entries: [m.entries[0], { name: 'token_embd.weight', ncall: 1, values: new Float32Array(3).fill(1) }] };
    const r = matchImatrix(emb, sampleTensors, 't.dat');
    expect(r.skipped).toEqual([{ name: 'token_embd.weight', reason: '3 values, but the tensor has 64 columns' }]);
    expect(r.weights.size).toBe(1);
  });

  it('MoE tensors: one value per column of every expert', () => {
    const moe = [{ name: 'blk.0.ffn_down_exps.weight', shape: [8, 256, 512] }];
    expect(matchImatrix({ entries: [{ name: moe[0].name, ncall: 2, values: new Float32Array(8 * 512).fill(4) }] }, moe, 'm.dat').weights.get(moe[0].name)![4095]).toBe(2);
    expect(() => matchImatrix({ entries: [{ name: moe[0].name, ncall: 2, values: new Float32Array(512) }] }, moe, 'm.dat')).toThrow(/512 values, but the tensor has 512 columns × 8 experts/);
  });
});
