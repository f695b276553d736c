// Builders of small (often deliberately corrupt) model files for the format tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'mcs-formats-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A safetensors file from a header object (written verbatim) and a data section. */
export function safetensorsBytes(header: unknown, data: Uint8Array | number = 0, opts: { claimLength?: bigint } = {}): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(opts.claimLength ?? BigInt(json.length));
  const body = typeof data === 'number' ? Buffer.alloc(data) : Buffer.from(data);
  return Buffer.concat([len, json, body]);
}

/** A valid safetensors file of F32 tensors with values from `fill(i)`. */
export function f32Safetensors(tensors: { name: string; shape: number[] }[], fill = (i: number) => i * 0.5): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let off = 0;
  const parts: Buffer[] = [];
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const arr = new Float32Array(n).map((_, i) => fill(i + off / 4));
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + n * 4] };
    parts.push(Buffer.from(arr.buffer));
    off += n * 4;
  }
  return safetensorsBytes(header, Buffer.concat(parts));
}

export const LLAMA_CONFIG = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1,
  num_attention_heads: 2, num_key_value_heads: 1, vocab_size: 4, max_position_embeddings: 32, rms_norm_eps: 1e-5,
  rope_theta: 10000, tie_word_embeddings: true, bos_token_id: 1, eos_token_id: 2,
};

/** Writes files { name: contents } into `dir`. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array | object>): void {
  for (const [name, c] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof c === 'string' || c instanceof Uint8Array ? c : JSON.stringify(c));
  }
}
