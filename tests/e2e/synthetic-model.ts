// A Llama-shaped Hugging Face folder with real-size layers, written from a fixed
// seed: big enough that a run takes long enough to be cancelled halfway.
import { copyFileSync, mkdirSync, openSync, writeSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../helpers/tensors.js';

export interface SyntheticShape {
  hidden: number;
  intermediate: number;
  layers: number;
  vocab: number;
}

export function writeSyntheticModel(dir: string, shape: SyntheticShape, seed = 1): number {
  mkdirSync(dir, { recursive: true });
  const sample = join(process.cwd(), 'resources', 'sample', 'stories260K');
  const config = JSON.parse(readFileSync(join(sample, 'config.json'), 'utf8'));
  Object.assign(config, {
    hidden_size: shape.hidden, intermediate_size: shape.intermediate, num_hidden_layers: shape.layers,
    num_attention_heads: shape.hidden / 64, num_key_value_heads: shape.hidden / 64, vocab_size: shape.vocab,
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(sample, f), join(dir, f));

  const { hidden: h, intermediate: i } = shape;
  const tensors: [string, number[]][] = [['model.embed_tokens.weight', [shape.vocab, h]], ['model.norm.weight', [h]]];
  for (let l = 0; l < shape.layers; l++) {
    const p = `model.layers.${l}.`;
    tensors.push(
      [p + 'input_layernorm.weight', [h]], [p + 'post_attention_layernorm.weight', [h]],
      [p + 'self_attn.q_proj.weight', [h, h]], [p + 'self_attn.k_proj.weight', [h, h]],
      [p + 'self_attn.v_proj.weight', [h, h]], [p + 'self_attn.o_proj.weight', [h, h]],
      [p + 'mlp.gate_proj.weight', [i, h]], [p + 'mlp.up_proj.weight', [i, h]], [p + 'mlp.down_proj.weight', [h, i]],
    );
  }
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, s] of tensors) {
    const bytes = s.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape: s, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const fd = openSync(join(dir, 'model.safetensors'), 'w');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeSync(fd, len);
  writeSync(fd, json);
  const rand = mulberry32(seed);
  for (const [, s] of tensors) {
    const n = s.reduce((a, b) => a * b, 1);
    const chunk = new Float32Array(Math.min(n, 1 << 20));
    for (let done = 0; done < n; done += chunk.length) {
      const m = Math.min(chunk.length, n - done);
      for (let k = 0; k < m; k++) chunk[k] = (rand() - 0.5) * 0.1;
      writeSync(fd, new Uint8Array(chunk.buffer, 0, m * 4));
    }
  }
  closeSync(fd);
  return offset;
}
