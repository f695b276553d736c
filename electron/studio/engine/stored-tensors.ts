// An opened model's tensors under the names the engine reads (llama.cpp
// names), companion tensors of stored quantized weights included:
//   compressed-tensors: <module>.weight_packed / weight_scale / weight_zero_point /
//     weight_shape (pack-quantized), <module>.weight + weight_scale (int-quantized),
//     <module>.compressed / bitmask / shape (sparse-24-bitmask), plus num_bits
//     from quantization_config so the packed width needs no guessing;
//   bitsandbytes 4-bit: <module>.weight (uint8) + weight.absmax / weight.quant_map /
//     weight.nested_absmax / weight.nested_quant_map / weight.quant_state.bitsandbytes__<t>;
//   GGUF: the file's own names and block types.
// The engine picks each layer's kernel from the tensors present (native/engine/
// qlinear). A layout it has no kernel for is refused here, naming the tensor.
import { StudioError } from '../../common/errors.js';
import type { NativeTensor } from '../native/addon.js';
import type { OpenedModel, TensorEntry } from '../models/types.js';
import { engineTensorName } from './tensor-names.js';

/** Companion roles of a linear module the engine's formats read. */
const ROLES = new Set(['weight', 'bias', 'weight_packed', 'weight_scale', 'weight_zero_point', 'weight_shape', 'compressed', 'bitmask', 'shape']);
const BNB_ROLE = /^weight\.(absmax|quant_map|nested_absmax|nested_quant_map|quant_state\.bitsandbytes__(nf4|fp4))$/;

/** "<module>.<role>" of a Hugging Face tensor name (bitsandbytes roles have dots). */
function splitName(name: string): [module: string, role: string] | undefined {
  const bnb = /^(.*)\.(weight\..+)$/.exec(name);
  if (bnb) return [bnb[1], bnb[2]];
  const m = /^(.*)\.([^.]+)$/.exec(name);
  return m ? [m[1], m[2]] : undefined;
}

interface CtGroup {
  targets: string[];
  weights?: { num_bits?: number; type?: string; strategy?: string } | null;
  input_activations?: unknown;
  format?: string;
}

interface CtConfig {
  format?: string;
  config_groups?: Record<string, CtGroup>;
  ignore?: string[];
  sparsity_config?: { format?: string } | null;
}

const RUNNABLE_CT_FORMATS = new Set(['pack-quantized', 'int-quantized', 'dense', 'sparse-24-bitmask']);

function matches(module: string, patterns: string[] = []): boolean {
  return patterns.some((p) => p === 'Linear' || p === module || (p.startsWith('re:') && new RegExp(p.slice(3)).test(module)));
}

/** compressed-tensors: refuse what the engine does not run; the bit width of a quantized module. */
function compressedTensorsBits(cfg: CtConfig, file: string): (module: string) => number | undefined {
  const groups = Object.entries(cfg.config_groups ?? {});
  for (const f of [cfg.format, cfg.sparsity_config?.format, ...groups.map(([, g]) => g.format)])
    if (f !== undefined && f !== null && !RUNNABLE_CT_FORMATS.has(f))
      throw new StudioError('UNSUPPORTED', `${file}: compressed-tensors format '${f}' is not run by the engine (it runs ${[...RUNNABLE_CT_FORMATS].join(', ')})`, { file });
  for (const [name, g] of groups) {
    if (g.weights && g.weights.type && g.weights.type !== 'int')
      throw new StudioError('UNSUPPORTED', `${file}: compressed-tensors group '${name}' quantizes weights to type '${g.weights.type}'; the engine runs integer weights`, { file });
    if (g.input_activations)
      throw new StudioError('UNSUPPORTED', `${file}: compressed-tensors group '${name}' quantizes activations too; the engine runs weight-only quantization (float activations)`, { file });
  }
  return (module) => {
    if (matches(module, cfg.ignore?.filter((p) => p !== 'Linear'))) return undefined;
    for (const [, g] of groups) if (g.weights?.num_bits && (g.targets.includes(module) || matches(module, g.targets))) return g.weights.num_bits;
    return undefined;
  };
}

/** The engine's tensor map of an opened model (tensors stay where `data` keeps them). */
export function engineTensors(model: OpenedModel, data: { get(entry: TensorEntry): NativeTensor }): Record<string, NativeTensor> {
  const tensors: Record<string, NativeTensor> = {};
  if (model.format === 'gguf') {
    for (const e of model.tensors) tensors[e.name] = data.get(e);
    return tensors;
  }
  const q = model.quantization;
  if (q.format === 'other') {
    const method = (q.details as { quant_method?: unknown } | undefined)?.quant_method;
    throw new StudioError('UNSUPPORTED', `${model.path}: quantization method '${String(method ?? 'unknown')}' is not run by the engine (it runs compressed-tensors, bitsandbytes 4-bit and GGUF blocks)`, { file: model.path });
  }
  const bitsOf = q.format === 'compressed-tensors' ? compressedTensorsBits(q.details as CtConfig, model.path) : () => undefined;
  const packedModules = new Map<string, string>(); // engine module → HF module
  for (const e of model.tensors) {
    const parts = splitName(e.name);
    if (!parts) continue;
    const [module, role] = parts;
    const weightName = engineTensorName(`${module}.weight`, model.config);
    if (weightName === undefined || !weightName.endsWith('.weight')) continue; // not part of the forward pass
    const engineModule = weightName.slice(0, -'.weight'.length);
    if (!ROLES.has(role) && !BNB_ROLE.test(role)) {
      throw new StudioError('UNSUPPORTED', `${e.file}: tensor '${e.name}': '${role}' is not part of a weight layout the engine runs (compressed-tensors pack-quantized, int-quantized or sparse-24-bitmask; bitsandbytes 4-bit; GGUF blocks)`, { file: e.file, tensor: e.name });
    }
    tensors[`${engineModule}.${role}`] = data.get(e);
    if (role === 'weight_packed') packedModules.set(engineModule, module);
  }
  for (const [engineModule, module] of packedModules) {
    const bits = bitsOf(module);
    if (bits !== undefined) tensors[`${engineModule}.num_bits`] = { dtype: 'I64', shape: [1], data: BigInt64Array.of(BigInt(bits)), name: `${module}.num_bits` };
  }
  return tensors;
}
