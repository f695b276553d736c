// A model's tensors as the model computes with them: plain tensors as stored,
// and each compressed layer's parts folded into one logical weight with its
// logical shape, a dtype label ('int4 g32 sym') and the bytes of all its parts.
// The Model screen's table, the inspect job and the tensor charts all use this
// one list, so a row count and a name mean the same everywhere.
import { closeSync, openSync, readSync } from 'node:fs';
import { StudioError } from '../../common/errors.js';
import type { OpenedModel, TensorDType, TensorEntry } from '../models/types.js';
import { findStoredLayers, storedBytes, type StoredLayer } from './stored-layers.js';
import { readStoredLayout, type SmallTensorReader, type StoredLayout } from './stored-layout.js';

export interface LogicalTensor {
  /** The tensor as a table shows it (a compressed layer: its logical name, shape, label and bytes). */
  entry: TensorEntry;
  /** A compressed layer: its stored parts, and their layout or why it cannot be read. */
  stored?: { layer: StoredLayer; layout?: StoredLayout; error?: StudioError };
}

/** Metadata tensors (shapes, a quant state) read straight from the file: a few bytes each. */
export const readSmallTensor: SmallTensorReader = (t) => {
  const fd = openSync(t.file, 'r');
  try {
    const out = new Uint8Array(t.byteLength);
    const got = readSync(fd, out, 0, t.byteLength, t.offset);
    if (got !== t.byteLength) throw new StudioError('BAD_FILE', `${t.file}: tensor '${t.name}' ends past the end of the file`, { file: t.file, tensor: t.name });
    return out;
  } finally {
    closeSync(fd);
  }
};

function layerEntry(layer: StoredLayer, layout: StoredLayout | undefined): TensorEntry {
  const parts = Object.values(layer.parts);
  const main = layer.parts.weight_packed ?? layer.parts.compressed ?? layer.parts.weight ?? parts[0];
  return {
    name: layer.name,
    dtype: (layout?.label ?? `${layer.kind} (unreadable)`) as TensorDType,
    shape: layout?.shape ?? main.shape,
    file: main.file,
    offset: main.offset,
    byteLength: storedBytes(layer),
  };
}

function build(model: OpenedModel, read: SmallTensorReader): LogicalTensor[] | undefined {
  const { layers, byPart } = findStoredLayers(model);
  if (!layers.length) return undefined;
  const out: LogicalTensor[] = [];
  const placed = new Set<StoredLayer>();
  for (const t of model.tensors) {
    const layer = byPart.get(t.name);
    if (!layer) {
      out.push({ entry: t });
      continue;
    }
    if (placed.has(layer)) continue;
    placed.add(layer);
    let layout: StoredLayout | undefined, error: StudioError | undefined;
    try {
      layout = readStoredLayout(layer, read);
    } catch (e) {
      error = e instanceof StudioError ? e : new StudioError('INTERNAL', String(e));
    }
    out.push({ entry: layerEntry(layer, layout), stored: { layer, layout, error } });
  }
  return out;
}

const cache = new WeakMap<OpenedModel, LogicalTensor[] | null>();

/** The logical tensors of a model with compressed layers; undefined when every tensor is plain. */
export function logicalTensors(model: OpenedModel, read: SmallTensorReader = readSmallTensor): LogicalTensor[] | undefined {
  if (read === readSmallTensor && cache.has(model)) return cache.get(model) ?? undefined;
  const list = build(model, read);
  if (read === readSmallTensor) cache.set(model, list ?? null);
  return list;
}

/** The tensors an inspection goes over: logical ones where the model has compressed layers. */
export function inspectedTensors(model: OpenedModel): LogicalTensor[] {
  return logicalTensors(model) ?? model.tensors.map((entry) => ({ entry }));
}
