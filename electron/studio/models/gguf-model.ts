// A .gguf file as an OpenedModel: config from the <arch>.* keys, the tokenizer
// from tokenizer.ggml.*, tensors with llama.cpp names and shapes outermost first.
import { resolve } from 'node:path';
import { modelConfigFromGguf, quantizationFromGguf } from './gguf-config.js';
import { readGgufFile, type GgufFile } from './gguf-reader.js';
import type { GgufValue } from './gguf-values.js';
import type { OpenedModel, TensorEntry } from './types.js';

/** Metadata for display: 64-bit integers beyond 2^53 as strings, so it serialises as JSON. */
function displayMetadata(m: Record<string, GgufValue>): Record<string, unknown> {
  const fix = (v: GgufValue): unknown => (typeof v === 'bigint' ? v.toString() : Array.isArray(v) ? v.map(fix) : v);
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(m)) out[k] = fix(v);
  return out;
}

export function ggufToOpenedModel(g: GgufFile): OpenedModel {
  const hasVocab = Array.isArray(g.metadata['tokenizer.ggml.tokens']);
  return {
    path: g.path,
    format: 'gguf',
    config: modelConfigFromGguf(g),
    tensors: g.tensors.map(({ name, dtype, shape, file, offset, byteLength }): TensorEntry => ({ name, dtype, shape, file, offset, byteLength })),
    tokenizer: hasVocab ? { kind: 'gguf', path: g.path } : { kind: 'none' },
    quantization: quantizationFromGguf(g),
    files: [{ path: g.path, bytes: g.fileSize }],
    metadata: displayMetadata(g.metadata),
  };
}

export async function openGgufModel(path: string): Promise<OpenedModel> {
  return ggufToOpenedModel(readGgufFile(resolve(path)));
}
