// A Hugging Face model folder: config.json, the weights (model.safetensors, or
// shards with an index), and the tokenizer files when present.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StudioError, badFile } from '../../common/errors.js';
import { modelConfigFromHf, quantizationFromHf } from './hf-config.js';
import { readJsonFile } from './json-file.js';
import { readSafetensorsHeader } from './safetensors.js';
import { readShardedCheckpoint } from './sharded.js';
import type { OpenedModel, TensorEntry, TokenizerSource } from './types.js';

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** The weights of `dir`: the index of a sharded checkpoint, or its one safetensors file. */
function findWeights(dir: string, names: string[]): { index: string } | { single: string } {
  if (names.includes('model.safetensors.index.json')) return { index: join(dir, 'model.safetensors.index.json') };
  if (names.includes('model.safetensors')) return { single: join(dir, 'model.safetensors') };
  const indexes = names.filter((n) => n.endsWith('.safetensors.index.json'));
  if (indexes.length === 1) return { index: join(dir, indexes[0]) };
  const singles = names.filter((n) => n.endsWith('.safetensors'));
  if (singles.length === 1) return { single: join(dir, singles[0]) };
  if (singles.length > 1) throw badFile(dir, `holds ${singles.length} safetensors files but no model.safetensors.index.json to say which tensors are where`);
  if (names.some((n) => n.endsWith('.bin') || n.endsWith('.pt') || n.endsWith('.pth'))) {
    throw new StudioError('UNSUPPORTED', `${dir}: only PyTorch .bin/.pt weights found; the studio reads safetensors (convert with transformers' save_pretrained(safe_serialization=True))`, { file: dir });
  }
  throw new StudioError('NOT_FOUND', `${dir}: no model.safetensors (or sharded model-0000N-of-0000M.safetensors with an index) in this folder`, { file: dir });
}

function tokenizerOf(dir: string): TokenizerSource {
  const path = join(dir, 'tokenizer.json');
  if (!isFile(path)) return { kind: 'none' };
  const configPath = join(dir, 'tokenizer_config.json');
  return isFile(configPath) ? { kind: 'tokenizer.json', path, configPath } : { kind: 'tokenizer.json', path };
}

export async function openHfFolder(folder: string): Promise<OpenedModel> {
  const dir = resolve(folder);
  const configPath = join(dir, 'config.json');
  if (!isFile(configPath)) throw new StudioError('NOT_FOUND', `${dir}: no config.json, so this is not a Hugging Face model folder`, { file: dir });
  const json = readJsonFile(configPath, 16 * 1024 * 1024);
  const config = modelConfigFromHf(json, configPath);
  const names = readdirSync(dir);
  const weights = findWeights(dir, names);

  let tensors: TensorEntry[];
  const files: { path: string; bytes: number }[] = [{ path: configPath, bytes: statSync(configPath).size }];
  if ('index' in weights) {
    const ckpt = readShardedCheckpoint(weights.index);
    tensors = ckpt.tensors;
    files.push({ path: weights.index, bytes: statSync(weights.index).size });
    for (const s of ckpt.shards) files.push({ path: s.path, bytes: s.fileSize });
  } else {
    const header = readSafetensorsHeader(weights.single);
    tensors = header.tensors;
    files.push({ path: header.path, bytes: header.fileSize });
  }
  const tokenizer = tokenizerOf(dir);
  if (tokenizer.kind === 'tokenizer.json') {
    for (const p of [tokenizer.path, tokenizer.configPath]) if (p) files.push({ path: p, bytes: statSync(p).size });
  }
  return {
    path: dir,
    format: 'hf',
    config,
    tensors,
    tokenizer,
    quantization: quantizationFromHf(json),
    files,
    metadata: json as Record<string, unknown>,
  };
}
