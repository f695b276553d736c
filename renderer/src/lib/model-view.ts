// What the Model screen shows of a summary: the tensors as the model computes
// with them (a compressed layer is one logical weight, see TensorInfo.parts),
// their type mix and parameter count, and whether the model is quantized.
import type { DTypeShare, ModelSummary, TensorInfo, TensorStatsRow } from '../../../electron/common/contract';

/** The table's tensors: logical ones when the files store compressed layers. */
export const viewTensors = (m: ModelSummary | null | undefined): TensorInfo[] => m?.logicalTensors ?? m?.tensors ?? [];

/** Parameters as the model computes with them (packed codes count as the weights they hold). */
export const viewParameters = (m: ModelSummary): number => (m.logicalTensors ? m.logicalTensors.reduce((a, t) => a + t.parameters, 0) : m.parameters);

/** Types by bytes, largest first; with compressed layers, their logical labels ('int4 g32 sym') lead. */
export function viewTypeMix(m: ModelSummary): (DTypeShare & { share: number })[] {
  let mix = m.dtypeMix;
  if (m.logicalTensors) {
    const by = new Map<string, DTypeShare>();
    for (const t of m.logicalTensors) {
      const s = by.get(t.dtype) ?? { dtype: t.dtype, tensors: 0, parameters: 0, bytes: 0 };
      s.tensors++;
      s.parameters += t.parameters;
      s.bytes += t.bytes;
      by.set(t.dtype, s);
    }
    // The compressed layers' types first: they are what this model is about.
    const compressed = new Set(m.logicalTensors.filter((t) => t.parts).map((t) => t.dtype));
    mix = [...by.values()].sort((a, b) => Number(compressed.has(b.dtype)) - Number(compressed.has(a.dtype)) || b.bytes - a.bytes);
  }
  const total = mix.reduce((a, d) => a + d.bytes, 0) || 1;
  return mix.map((d) => ({ ...d, share: d.bytes / total }));
}

/** GGUF files always say "gguf"; only block types make them quantized. */
export const isQuantized = (m: ModelSummary): boolean =>
  m.quantization !== 'none' && (m.quantization !== 'gguf' || m.dtypeMix.some((d) => /^Q\d/.test(d.dtype)));

/** What the header says about the stored quantization. */
export const quantizationLabel = (m: ModelSummary): string => m.storedQuantization ?? m.quantization;

/** Statistics rows that hold numbers (an unreadable layer's row holds its error instead). */
export function readableStats(stats: ReadonlyMap<string, TensorStatsRow>): ReadonlyMap<string, TensorStatsRow> {
  if (![...stats.values()].some((s) => s.error)) return stats;
  return new Map([...stats].filter(([, s]) => !s.error));
}

/** "weight_packed I32 [64, 8]" lines of a logical tensor's stored parts. */
export function partsText(t: TensorInfo, prefix = t.name.replace(/weight$/, '')): string[] {
  return (t.parts ?? []).map((p) => `${p.name.startsWith(prefix) ? p.name.slice(prefix.length) : p.name} ${p.dtype} [${p.shape.join(', ')}]`);
}
