// Ready-made recipes for the common choices; the window lists them, the CLI
// accepts their ids with --preset.
import type { RecipeInput } from './schema.js';

export interface RecipePreset {
  id: string;
  label: string;
  summary: string;
  recipe: RecipeInput;
}

export const PRESETS: RecipePreset[] = [
  {
    id: 'int8-channel',
    label: 'int8 per-channel',
    summary: 'Symmetric 8-bit weights, one scale per output channel. Nearly lossless; halves F16 size.',
    recipe: { name: 'int8 per-channel', quantize: { method: 'rtn', bits: 8, scheme: 'sym', granularity: 'channel' } },
  },
  {
    id: 'int4-g128',
    label: 'int4 g128',
    summary: 'Symmetric 4-bit weights, one scale per 128 inputs: the usual W4A16 layout for vLLM.',
    recipe: { name: 'int4 g128', quantize: { method: 'rtn', bits: 4, scheme: 'sym', granularity: 'group', group: 128 } },
  },
  {
    id: 'int4-g32',
    label: 'int4 g32',
    summary: 'Symmetric 4-bit weights with small groups of 32: more scales, less error.',
    recipe: { name: 'int4 g32', quantize: { method: 'rtn', bits: 4, scheme: 'sym', granularity: 'group', group: 32 } },
  },
  {
    id: 'nf4-dq',
    label: 'NF4 + double quant',
    summary: 'QLoRA NormalFloat4, blocks of 64, absmax scales quantized to 8 bits (bitsandbytes layout).',
    recipe: { name: 'NF4 + double quant', quantize: { method: 'nf4', blockSize: 64, doubleQuant: true } },
  },
  {
    id: 'q8_0',
    label: 'Q8_0',
    summary: 'llama.cpp 8-bit blocks of 32 with an F16 scale (GGUF).',
    recipe: { name: 'Q8_0', quantize: { method: 'gguf', type: 'q8_0' } },
  },
  {
    id: 'q4_0',
    label: 'Q4_0',
    summary: 'llama.cpp 4-bit blocks of 32 with an F16 scale (GGUF).',
    recipe: { name: 'Q4_0', quantize: { method: 'gguf', type: 'q4_0' } },
  },
  {
    id: 'magnitude-50',
    label: '50% magnitude',
    summary: 'Zero the smaller half of each linear weight by magnitude (unstructured).',
    recipe: { name: '50% magnitude', prune: { method: 'magnitude', sparsity: 0.5, scope: 'tensor' } },
  },
  {
    id: 'sparse-2-4',
    label: '2:4',
    summary: 'Keep the 2 largest of every 4 weights along the input: the pattern sparse tensor cores run.',
    recipe: { name: '2:4 sparsity', prune: { method: 'nm', n: 2, m: 4 } },
  },
];

export function findPreset(id: string): RecipePreset | undefined {
  const key = id.toLowerCase();
  return PRESETS.find((p) => p.id === key || p.label.toLowerCase() === key);
}
