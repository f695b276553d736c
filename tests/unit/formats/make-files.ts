// Builders of small (often deliberately corrupt) model files for the format tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary folder; `file(bytes, ext)` writes a fresh numbered file into it and returns its path. */
export function tempDir(prefix = 'mcs-formats-'): { dir: string; cleanup: () => void; file: (bytes: Uint8Array, ext: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    file: (bytes, ext) => {
      const p = join(dir, `f${n++}${ext}`);
      writeFileSync(p, bytes);
      return p;
    },
  };
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

/** A little-endian byte builder for hand-made (and hand-broken) GGUF files. */
export class ByteWriter {
  private parts: Buffer[] = [];
  length = 0;
  private push(b: Buffer): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
  u8(v: number) { return this.push(Buffer.from([v])); }
  u32(v: number) { const b = Buffer.alloc(4); b.writeUInt32LE(v); return this.push(b); }
  i32(v: number) { const b = Buffer.alloc(4); b.writeInt32LE(v); return this.push(b); }
  u64(v: number | bigint) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return this.push(b); }
  f32(v: number) { const b = Buffer.alloc(4); b.writeFloatLE(v); return this.push(b); }
  str(s: string) { const b = Buffer.from(s, 'utf8'); return this.u64(b.length).push(b); }
  raw(b: Uint8Array) { return this.push(Buffer.from(b)); }
  pad(align: number) { return this.push(Buffer.alloc((align - (this.length % align)) % align)); }
  build(): Buffer { return Buffer.concat(this.parts); }
}

/**
 * A small GGUF v3 file: metadata as [key, writeValue] pairs (writeValue writes
 * type id and value), F32 tensors [name, ne] laid out one after another.
 */
export function ggufBytes(opts: {
  kv?: [string, (w: ByteWriter) => void][];
  tensors?: { name: string; ne: number[]; type?: number; offset?: number }[];
  version?: number;
  dataBytes?: number;
  alignment?: number;
}): Buffer {
  const w = new ByteWriter().u32(0x46554747).u32(opts.version ?? 3);
  const kv = opts.kv ?? [['general.architecture', (x) => x.u32(8).str('llama')]];
  const tensors = opts.tensors ?? [];
  w.u64(tensors.length).u64(kv.length);
  for (const [k, f] of kv) { w.str(k); f(w); }
  let off = 0;
  for (const t of tensors) {
    w.str(t.name).u32(t.ne.length);
    for (const d of t.ne) w.u64(d);
    w.u32(t.type ?? 0).u64(t.offset ?? off);
    off += Math.ceil((t.ne.reduce((a, b) => a * b, 1) * 4) / 32) * 32;
  }
  w.pad(opts.alignment ?? 32);
  w.raw(Buffer.alloc(opts.dataBytes ?? off));
  return w.build();
}
