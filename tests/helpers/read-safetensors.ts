// Reads safetensors files the studio wrote, checking the layout rules the
// format sets (contiguous data, no gaps, data ends at the end of the file).
import { readFileSync } from 'node:fs';

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
