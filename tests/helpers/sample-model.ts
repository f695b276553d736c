// Tensors of the bundled sample model (resources/sample/stories260K), located
// by reading the safetensors header directly so kernel tests need no model code.
import { readFileSync } from 'node:fs';
import { native, type NativeMappedFile } from '../../electron/studio/native/addon.js';

export const SAMPLE_SAFETENSORS = 'resources/sample/stories260K/model.safetensors';

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function header(): { base: number; entries: Record<string, Entry> } {
  const bytes = readFileSync(SAMPLE_SAFETENSORS);
  const n = Number(bytes.readBigUInt64LE(0));
  return { base: 8 + n, entries: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) };
}

/** The tensor as a mapped-file argument, and a copy of its bytes for comparison. */
export function sampleTensor(name: string, file?: NativeMappedFile) {
  const { base, entries } = header();
  const e = entries[name];
  if (!e) throw new Error(`sample model has no tensor ${name}`);
  const f = file ?? new (native().MappedFile)(SAMPLE_SAFETENSORS);
  const offset = base + e.data_offsets[0], byteLength = e.data_offsets[1] - e.data_offsets[0];
  const copy = new Float32Array(readFileSync(SAMPLE_SAFETENSORS).buffer.slice(offset, offset + byteLength));
  return {
    mapped: { dtype: e.dtype, shape: e.shape, name, file: f, offset, byteLength },
    buffer: { dtype: e.dtype, shape: e.shape, name, data: copy },
    file: f,
  };
}
