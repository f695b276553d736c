// Sharded Hugging Face checkpoints: model.safetensors.index.json maps each
// tensor to its shard (weight_map). The index is checked against the shards'
// own headers: every shard exists, every listed tensor is where the index says,
// no tensor is in two shards, no shard holds a tensor the index does not list.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { badFile } from '../../common/errors.js';
import { readJsonFile } from './json-file.js';
import { readSafetensorsHeader, type SafetensorsHeader } from './safetensors.js';
import type { TensorEntry } from './types.js';

export interface ShardedCheckpoint {
  indexPath: string;
  metadata: Record<string, unknown>;
  shards: SafetensorsHeader[];
  /** Shard by shard, in data order within each shard. */
  tensors: TensorEntry[];
}

/** weight_map of an index file, checked for shape; shard names must be plain file names in the same folder. */
export function readShardIndex(indexPath: string): { weightMap: Map<string, string>; metadata: Record<string, unknown> } {
  const json = readJsonFile(indexPath) as { weight_map?: unknown; metadata?: unknown };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw badFile(indexPath, 'is not a JSON object');
  const wm = json.weight_map;
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm)) throw badFile(indexPath, 'has no weight_map object');
  const weightMap = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(wm)) {
    if (typeof shard !== 'string' || !shard) throw badFile(indexPath, 'weight_map entry is not a file name', tensor);
    if (shard !== basename(shard) || shard === '.' || shard === '..' || shard.includes('\\')) {
      throw badFile(indexPath, `shard '${shard}' is not a file name in the model's folder`, tensor);
    }
    weightMap.set(tensor, shard);
  }
  if (weightMap.size === 0) throw badFile(indexPath, 'weight_map lists no tensors');
  const metadata = typeof json.metadata === 'object' && json.metadata !== null ? (json.metadata as Record<string, unknown>) : {};
  return { weightMap, metadata };
}

export function readShardedCheckpoint(indexPath: string): ShardedCheckpoint {
  const { weightMap, metadata } = readShardIndex(indexPath);
  const dir = dirname(indexPath);
  const shardNames = [...new Set(weightMap.values())].sort();
  for (const name of shardNames) {
    if (!existsSync(join(dir, name))) {
      const tensor = [...weightMap].find(([, s]) => s === name)![0];
      throw badFile(indexPath, `lists shard ${name}, which is missing from ${dir}`, tensor);
    }
  }
  const shards = shardNames.map((name) => readSafetensorsHeader(join(dir, name)));
  const seen = new Map<string, string>();
  for (const [i, shard] of shards.entries()) {
    for (const t of shard.tensors) {
      const other = seen.get(t.name);
      if (other !== undefined) throw badFile(indexPath, `is in two shards, ${other} and ${shardNames[i]}`, t.name);
      seen.set(t.name, shardNames[i]);
    }
  }
  const tensors: TensorEntry[] = [];
  for (const [i, shard] of shards.entries()) {
    for (const t of shard.tensors) {
      const listed = weightMap.get(t.name);
      if (listed === undefined) throw badFile(shard.path, `is not listed in ${basename(indexPath)}`, t.name);
      if (listed !== shardNames[i]) throw badFile(indexPath, `is listed in ${listed} but stored in ${shardNames[i]}`, t.name);
      tensors.push(t);
    }
  }
  for (const [tensor, shard] of weightMap) {
    if (!seen.has(tensor)) throw badFile(indexPath, `is listed in ${shard} but that shard does not hold it`, tensor);
  }
  return { indexPath, metadata, shards, tensors };
}
