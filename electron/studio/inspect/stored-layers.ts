// The linear layers of a compressed checkpoint that are stored as several
// tensors (compressed-tensors pack-quantized, int-quantized, sparse-24-bitmask;
// bitsandbytes 4-bit), each grouped under the logical weight the model
// multiplies by. Grouping goes through the engine's own companion map
// (engine/stored-tensors.ts), so the inspector folds exactly the tensors the
// engine reads as one layer, and the bit width comes from quantization_config
// the same way.
import { StudioError } from '../../common/errors.js';
import { engineTensors } from '../engine/stored-tensors.js';
import type { OpenedModel, TensorEntry } from '../models/types.js';

export type StoredLayerKind = 'pack' | 'int' | 'sparse24' | 'bnb4';

export interface StoredLayer {
  /** The logical weight's name (`<module>.weight`, Hugging Face naming). */
  name: string;
  kind: StoredLayerKind;
  /** The stored tensors by the role the engine reads them under (weight_packed, weight.absmax, …). */
  parts: Record<string, TensorEntry>;
  /** pack-quantized: the bit width quantization_config gives the module, when it gives one. */
  configBits?: number;
}

export interface StoredLayers {
  layers: StoredLayer[];
  /** The logical layer each stored part belongs to, by the part's name. */
  byPart: Map<string, StoredLayer>;
  /** Why the model's stored layers could not be grouped (its tensors are then shown as stored). */
  problem?: StudioError;
}

/** "<engine module>.<role>" of an engine tensor name. */
const ENGINE_ROLE = /^(.*?)\.(weight(?:\..+)?|bias|weight_packed|weight_scale|weight_zero_point|weight_shape|compressed|bitmask|shape|num_bits)$/;

function kindOf(roles: Record<string, TensorEntry>): StoredLayerKind | undefined {
  if (roles.weight_packed) return 'pack';
  if (roles.compressed || roles.bitmask) return 'sparse24';
  if (Object.keys(roles).some((r) => r.startsWith('weight.'))) return 'bnb4';
  if (roles.weight?.dtype === 'I8' && roles.weight_scale) return 'int';
  return undefined;
}

/** A header-only stand-in for tensor data: engineTensors only names and groups here. */
interface Tagged {
  dtype: string;
  shape: number[];
  name: string;
  data: Uint8Array;
  entry?: TensorEntry;
}

/** The model's compressed layers (none for GGUF files and plain float models). */
export function findStoredLayers(model: OpenedModel): StoredLayers {
  const none: StoredLayers = { layers: [], byPart: new Map() };
  if (model.format !== 'hf') return none;
  let map: Record<string, Tagged>;
  try {
    map = engineTensors(model, { get: (entry) => ({ dtype: entry.dtype, shape: entry.shape, name: entry.name, data: new Uint8Array(0), entry }) }) as Record<string, Tagged>;
  } catch (e) {
    const problem = e instanceof StudioError ? e : new StudioError('INTERNAL', String(e));
    return model.quantization.format === 'none' ? none : { ...none, problem };
  }
  const modules = new Map<string, { roles: Record<string, TensorEntry>; bits?: number }>();
  for (const [key, t] of Object.entries(map)) {
    const m = ENGINE_ROLE.exec(key);
    if (!m) continue;
    const [, module, role] = m;
    const g = modules.get(module) ?? { roles: {} };
    if (role === 'num_bits') g.bits = Number((t.data as unknown as BigInt64Array)[0]);
    else if (t.entry) g.roles[role] = t.entry;
    modules.set(module, g);
  }
  const result: StoredLayers = { layers: [], byPart: new Map() };
  for (const { roles, bits } of modules.values()) {
    const kind = kindOf(roles);
    if (!kind) continue;
    const parts = Object.fromEntries(Object.entries(roles).filter(([role]) => role !== 'bias'));
    const [role, first] = Object.entries(parts)[0];
    const hfModule = first.name.slice(0, first.name.length - role.length - 1);
    const layer: StoredLayer = { name: `${hfModule}.weight`, kind, parts, configBits: bits };
    result.layers.push(layer);
    for (const p of Object.values(parts)) result.byPart.set(p.name, layer);
  }
  return result;
}

/** Bytes of every stored part of a layer together. */
export const storedBytes = (layer: StoredLayer): number => Object.values(layer.parts).reduce((a, p) => a + p.byteLength, 0);
