// An OpenedModel of the bundled sample built straight from its safetensors
// header, for service tests that must not depend on the model readers.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OpenedModel, TensorEntry } from '../../electron/studio/models/types.js';
import { native, type NativeMappedFile, type NativeTensor } from '../../electron/studio/native/addon.js';

export const SAMPLE_DIR = resolve('resources/sample/stories260K');

export function sampleOpenedModel(): OpenedModel {
  const file = resolve(SAMPLE_DIR, 'model.safetensors');
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const tensors: TensorEntry[] = Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .map(([name, e]) => ({ name, dtype: e.dtype as TensorEntry['dtype'], shape: e.shape, file, offset: 8 + n + e.data_offsets[0], byteLength: e.data_offsets[1] - e.data_offsets[0] }))
    .sort((a, b) => a.offset - b.offset);
  const config = JSON.parse(readFileSync(resolve(SAMPLE_DIR, 'config.json'), 'utf8'));
  return {
    path: SAMPLE_DIR,
    format: 'hf',
    config: {
      architecture: 'llama', sourceArchitecture: 'LlamaForCausalLM', hiddenSize: 64, intermediateSize: 172, numLayers: 5,
      numHeads: 8, numKvHeads: 4, headDim: 8, vocabSize: 512, maxPositions: 512, normEps: 1e-5, ropeTheta: 10000,
      tieWordEmbeddings: true, attentionBias: false, mlpBias: false, hiddenAct: 'silu', bosTokenId: 1, eosTokenIds: [2], ropeLayout: 'hf',
    },
    tensors,
    tokenizer: { kind: 'tokenizer.json', path: resolve(SAMPLE_DIR, 'tokenizer.json') },
    quantization: { format: 'none' },
    files: [{ path: file, bytes: bytes.length }],
    metadata: config,
  };
}

/** Tensor data of a model through one MappedFile per file. */
export function mappedData(model: OpenedModel): { tensor(e: TensorEntry): NativeTensor; close(): void } {
  const files = new Map<string, NativeMappedFile>();
  return {
    tensor(e) {
      let f = files.get(e.file);
      if (!f) files.set(e.file, (f = new (native().MappedFile)(e.file)));
      return { dtype: e.dtype, shape: e.shape, name: e.name, file: f, offset: e.offset, byteLength: e.byteLength };
    },
    close() {
      for (const f of files.values()) f.close();
    },
  };
}

/** Reads a safetensors file written by us: header and each tensor's bytes. */
export function readSafetensors(path: string): { metadata: Record<string, string>; tensors: Map<string, { dtype: string; shape: number[]; bytes: Buffer }> } {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const tensors = new Map<string, { dtype: string; shape: number[]; bytes: Buffer }>();
  let expectedStart = 0;
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__') as [string, { dtype: string; shape: number[]; data_offsets: [number, number] }][];
  for (const [name, e] of entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0])) {
    if (e.data_offsets[0] !== expectedStart) throw new Error(`gap before ${name}`);
    expectedStart = e.data_offsets[1];
    tensors.set(name, { dtype: e.dtype, shape: e.shape, bytes: bytes.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]) });
  }
  if (8 + n + expectedStart !== bytes.length) throw new Error('data does not end at the end of the file');
  return { metadata: header.__metadata__ ?? {}, tensors };
}
