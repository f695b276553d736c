// The `quantization_config` block of config.json that tells transformers and
// vLLM how to load what we wrote.
import type { RecipePlan, TensorPlan } from '../recipes/plan.js';
import type { RtnSpec } from '../recipes/schema.js';
import { moduleOf } from './encode.js';

/** Linear modules of the model that stay unquantized (lm_head always, if present). */
function unquantizedModules(plan: RecipePlan, isQuantized: (t: TensorPlan) => boolean): string[] {
  const modules = plan.tensors.filter((t) => t.shape.length === 2 && /_proj\.weight$|(^|\.)lm_head\.weight$/.test(t.name));
  const ignore = modules.filter((t) => !isQuantized(t)).map((t) => moduleOf(t.name));
  if (!ignore.includes('lm_head')) ignore.push('lm_head');
  return ignore;
}

const weightArgs = (q: RtnSpec) => ({
  num_bits: q.bits,
  type: 'int',
  symmetric: q.scheme === 'sym',
  strategy: q.granularity,
  group_size: q.granularity === 'group' ? q.group : null,
  dynamic: false,
  actorder: null,
  block_structure: null,
  observer: q.range === 'mse' ? 'mse' : 'minmax',
  observer_kwargs: {},
});

export function compressedTensorsConfig(plan: RecipePlan, globalSparsity: number): Record<string, unknown> {
  const quantized = plan.tensors.filter((t) => t.quantize?.method === 'rtn');
  // One config group per distinct weight scheme; targets are module names (exact match).
  const groups = new Map<string, { weights: ReturnType<typeof weightArgs>; targets: string[] }>();
  for (const t of quantized) {
    const w = weightArgs(t.quantize as RtnSpec);
    const key = JSON.stringify(w);
    if (!groups.has(key)) groups.set(key, { weights: w, targets: [] });
    groups.get(key)!.targets.push(moduleOf(t.name));
  }
  const onlyOne = groups.size === 1;
  const config_groups = Object.fromEntries(
    [...groups.values()].map((g, i) => [
      `group_${i}`,
      { targets: onlyOne ? ['Linear'] : g.targets, weights: g.weights, input_activations: null, output_activations: null, format: 'pack-quantized' },
    ]),
  );
  const pruned = plan.tensors.filter((t) => t.prune);
  const nm = pruned.find((t) => t.prune?.method === 'nm')?.prune;
  const sparse24Stored = nm?.method === 'nm' && nm.n === 2 && nm.m === 4 && quantized.length === 0;
  const config: Record<string, unknown> = {
    quant_method: 'compressed-tensors',
    format: quantized.length ? 'pack-quantized' : 'dense',
    quantization_status: 'compressed',
    config_groups,
    ignore: quantized.length ? unquantizedModules(plan, (t) => t.quantize?.method === 'rtn') : [],
    kv_cache_scheme: null,
  };
  if (pruned.length) {
    config.sparsity_config = {
      format: sparse24Stored ? 'sparse-24-bitmask' : 'dense',
      global_sparsity: globalSparsity,
      sparsity_structure: nm?.method === 'nm' ? `${nm.n}:${nm.m}` : 'unstructured',
      targets: sparse24Stored ? pruned.map((t) => moduleOf(t.name)) : ['Linear'],
      ignore: [],
      registry_requires_subclass: false,
    };
  }
  return config;
}

export function bitsandbytesConfig(plan: RecipePlan, computeDtype: string): Record<string, unknown> {
  const quantized = plan.tensors.filter((t) => t.quantize?.method === 'nf4' || t.quantize?.method === 'fp4');
  const q = quantized[0]?.quantize as { method: 'nf4' | 'fp4'; doubleQuant: boolean } | undefined;
  return {
    quant_method: 'bitsandbytes',
    load_in_4bit: true,
    load_in_8bit: false,
    _load_in_4bit: true,
    _load_in_8bit: false,
    bnb_4bit_quant_type: q?.method ?? 'nf4',
    bnb_4bit_use_double_quant: q?.doubleQuant ?? false,
    bnb_4bit_compute_dtype: computeDtype,
    bnb_4bit_quant_storage: 'uint8',
    llm_int8_skip_modules: unquantizedModules(plan, (t) => t.quantize?.method === 'nf4' || t.quantize?.method === 'fp4'),
    llm_int8_threshold: 6.0,
    llm_int8_has_fp16_weight: false,
    llm_int8_enable_fp32_cpu_offload: false,
  };
}
