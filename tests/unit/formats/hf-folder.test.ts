// Hugging Face folders: the bundled sample, sharded checkpoints (and every way
// their index can disagree with the shards), and the tensor-data helper.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openModel } from '../../../electron/studio/models/open-model.js';
import { openTensorData } from '../../../electron/studio/models/tensor-data.js';
import { expectStudioError } from './expect-error.js';
import { LLAMA_CONFIG, f32Safetensors, tempDir, writeFiles } from './make-files.js';

const SAMPLE = resolve('resources/sample/stories260K');
const tmp = tempDir();
afterAll(tmp.cleanup);
let n = 0;
function folder(files: Record<string, string | Uint8Array | object>): string {
  const dir = join(tmp.dir, `m${n++}`);
  mkdirSync(dir);
  writeFiles(dir, files);
  return dir;
}

describe('the bundled sample', () => {
  it('opens with its config, tensors, tokenizer and files', async () => {
    const m = await openModel(SAMPLE);
    expect(m.format).toBe('hf');
    expect(m.path).toBe(SAMPLE);
    expect(m.config).toEqual({
      architecture: 'llama', sourceArchitecture: 'LlamaForCausalLM', hiddenSize: 64, intermediateSize: 172, numLayers: 5,
      numHeads: 8, numKvHeads: 4, headDim: 8, vocabSize: 512, maxPositions: 512, normEps: 1e-5, ropeTheta: 10000,
      ropeScaling: undefined, tieWordEmbeddings: true, attentionBias: false, mlpBias: false, hiddenAct: 'silu',
      bosTokenId: 1, eosTokenIds: [2], ropeLayout: 'hf',
    });
    expect(m.tensors).toHaveLength(1 + 5 * 9 + 1);
    expect(m.tensors[0]).toMatchObject({ name: 'model.embed_tokens.weight', dtype: 'F32', shape: [512, 64], file: join(SAMPLE, 'model.safetensors') });
    expect(m.tensors.find((t) => t.name === 'model.layers.4.mlp.down_proj.weight')).toMatchObject({ shape: [64, 172], byteLength: 64 * 172 * 4 });
    expect(m.tensors.reduce((s, t) => s + t.byteLength / 4, 0)).toBe(260_032); // tied head: no lm_head tensor
    expect(m.tokenizer).toEqual({ kind: 'tokenizer.json', path: join(SAMPLE, 'tokenizer.json'), configPath: join(SAMPLE, 'tokenizer_config.json') });
    expect(m.quantization).toEqual({ format: 'none' });
    expect(m.files.map((f) => f.path.slice(SAMPLE.length + 1))).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(m.files[1].bytes).toBe(1045016);
    expect(m.metadata.model_type).toBe('llama');
  });

  it('maps tensor bytes without copying them into JS until asked', async () => {
    const m = await openModel(SAMPLE);
    const data = openTensorData(m);
    const raw = readFileSync(join(SAMPLE, 'model.safetensors'));
    for (const name of ['model.embed_tokens.weight', 'model.norm.weight', 'model.layers.2.self_attn.k_proj.weight']) {
      const t = data.get(name);
      expect(t.file.path).toBe(join(SAMPLE, 'model.safetensors'));
      expect(Buffer.compare(data.bytes(name), raw.subarray(t.offset, t.offset + t.byteLength))).toBe(0);
    }
    expect(data.get('model.norm.weight').file).toBe(data.get('model.embed_tokens.weight').file); // one mapping per file
    await expectStudioError(() => data.get('lm_head.weight'), { code: 'NOT_FOUND', tensor: 'lm_head.weight', problem: /has no tensor/ });
    data.close();
    await expectStudioError(() => data.get('model.norm.weight'), { code: 'INVALID_ARGUMENT', problem: /closed/ });
  });
});

const shard = (names: string[], fill = (i: number) => i) => f32Safetensors(names.map((name) => ({ name, shape: [2, 2] })), fill);
const index = (map: Record<string, string>) => ({ metadata: { total_size: 0 }, weight_map: map });
const S1 = 'model-00001-of-00002.safetensors', S2 = 'model-00002-of-00002.safetensors';

describe('sharded checkpoints', () => {
  it('open across shards', async () => {
    const dir = folder({ 'config.json': LLAMA_CONFIG, [S1]: shard(['a', 'b']), [S2]: shard(['c']), 'model.safetensors.index.json': index({ a: S1, b: S1, c: S2 }) });
    const m = await openModel(dir);
    expect(m.tensors.map((t) => [t.name, t.file])).toEqual([['a', join(dir, S1)], ['b', join(dir, S1)], ['c', join(dir, S2)]]);
    expect(m.files.map((f) => f.path.slice(dir.length + 1))).toEqual(['config.json', 'model.safetensors.index.json', S1, S2]);
    expect(m.tokenizer).toEqual({ kind: 'none' });
    const data = openTensorData(m);
    expect(new Float32Array(new Uint8Array(data.bytes('c')).buffer)).toEqual(new Float32Array([0, 1, 2, 3]));
    expect(new Float32Array(new Uint8Array(data.bytes('b')).buffer)).toEqual(new Float32Array([4, 5, 6, 7]));
    data.close();
  });

  it('a missing shard', async () => {
    const dir = folder({ 'config.json': LLAMA_CONFIG, [S1]: shard(['a']), 'model.safetensors.index.json': index({ a: S1, c: S2 }) });
    await expectStudioError(() => openModel(dir), { file: join(dir, 'model.safetensors.index.json'), tensor: 'c', problem: new RegExp(`lists shard ${S2}, which is missing`) });
  });

  it('a tensor listed but absent from its shard', async () => {
    const dir = folder({ 'config.json': LLAMA_CONFIG, [S1]: shard(['a']), 'model.safetensors.index.json': index({ a: S1, z: S1 }) });
    await expectStudioError(() => openModel(dir), { tensor: 'z', problem: /listed in .* but that shard does not hold it/ });
  });

  it('a tensor in two shards', async () => {
    const dir = folder({ 'config.json': LLAMA_CONFIG, [S1]: shard(['a', 'b']), [S2]: shard(['b']), 'model.safetensors.index.json': index({ a: S1, b: S2 }) });
    await expectStudioError(() => openModel(dir), { tensor: 'b', problem: new RegExp(`is in two shards, ${S1} and ${S2}`) });
  });

  it('a tensor stored elsewhere than the index says', async () => {
    const dir = folder({ 'config.json': LLAMA_CONFIG, [S1]: shard(['a']), [S2]: shard(['b']), 'model.safetensors.index.json': index({ a: S2, b: S1 }) });
    await expectStudioError(() => openModel(dir), { tensor: 'a', problem: new RegExp(`listed in ${S2} but stored in ${S1}`) });
  });

  it('a tensor the index does not list', async () => {
    const dir = folder({ 'config.json': LLAMA_CONFIG, [S1]: shard(['a', 'x']), 'model.safetensors.index.json': index({ a: S1 }) });
    await expectStudioError(() => openModel(dir), { file: join(dir, S1), tensor: 'x', problem: /not listed in model.safetensors.index.json/ });
  });

  it('a shard path that leaves the folder', async () => {
    const dir = folder({ 'config.json': LLAMA_CONFIG, 'model.safetensors.index.json': index({ a: '../secret.safetensors' }) });
    await expectStudioError(() => openModel(dir), { tensor: 'a', problem: /not a file name in the model's folder/ });
  });

  it('an index without weight_map, or not JSON', async () => {
    const a = folder({ 'config.json': LLAMA_CONFIG, 'model.safetensors.index.json': { metadata: {} } });
    await expectStudioError(() => openModel(a), { file: join(a, 'model.safetensors.index.json'), problem: /no weight_map/ });
    const b = folder({ 'config.json': LLAMA_CONFIG, 'model.safetensors.index.json': '{"weight_map": ' });
    await expectStudioError(() => openModel(b), { file: join(b, 'model.safetensors.index.json'), problem: /not valid JSON/ });
  });

  it('a corrupt shard names the shard', async () => {
    const bad = Buffer.from(shard(['b']));
    bad.writeBigUInt64LE(10n ** 6n);
    const dir = folder({ 'config.json': LLAMA_CONFIG, [S1]: shard(['a']), [S2]: bad, 'model.safetensors.index.json': index({ a: S1, b: S2 }) });
    await expectStudioError(() => openModel(dir), { file: join(dir, S2), problem: /claims 1000000 bytes/ });
  });
});

describe('folders that are not models', () => {
  it('no config.json', async () => {
    const dir = folder({ 'model.safetensors': shard(['a']) });
    await expectStudioError(() => openModel(dir), { code: 'NOT_FOUND', file: dir, problem: /no config.json/ });
  });

  it('no weights', async () => {
    const dir = folder({ 'config.json': LLAMA_CONFIG });
    await expectStudioError(() => openModel(dir), { code: 'NOT_FOUND', file: dir, problem: /no model.safetensors/ });
  });

  it('PyTorch .bin weights only', async () => {
    const dir = folder({ 'config.json': LLAMA_CONFIG, 'pytorch_model.bin': 'x' });
    await expectStudioError(() => openModel(dir), { code: 'UNSUPPORTED', file: dir, problem: /reads safetensors/ });
  });

  it('config.json that is not JSON', async () => {
    const dir = folder({ 'config.json': '{"model_type": "llama",', 'model.safetensors': shard(['a']) });
    await expectStudioError(() => openModel(dir), { file: join(dir, 'config.json'), problem: /not valid JSON/ });
  });

  it('a path that does not exist, and a file of another kind', async () => {
    await expectStudioError(() => openModel(join(tmp.dir, 'missing')), { code: 'NOT_FOUND', problem: /no such file or folder/ });
    const f = join(tmp.dir, 'notes.txt');
    writeFileSync(f, 'hello');
    await expectStudioError(() => openModel(f), { code: 'UNSUPPORTED', file: f, problem: /Hugging Face folder or a .gguf file/ });
  });
});
