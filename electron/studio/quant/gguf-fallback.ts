// Which GGUF type a tensor gets when its rows do not fit the requested block.
//
// GGUF cannot store a partial block: a row (ne[0], the last PyTorch dimension)
// must be a whole number of blocks — 32 elements for Q8_0/Q4_0/Q4_1/Q5_0/Q5_1,
// 256 for the k-quants. The rule, per tensor, follows llama-quantize's
// (src/llama-quant.cpp, "using fallback quantization"):
//   f32, f16                    → always fit
//   q8_0 q4_0 q4_1 q5_0 q5_1    → themselves if cols % 32 == 0, else F16
//   q6_k → q8_0, q5_k → q5_1, q4_k → q5_0, q3_k/q2_k → q4_0   when cols % 256 != 0
//                                 (llama.cpp uses IQ4_NL for q2_k/q3_k, which we do not write),
//                                 then F16 if cols % 32 != 0 too
// F16 is the last resort because it fits any row, halves F32, and its rounding
// error (2^-11 relative) is far below any block type's.
/** The types the GGUF exporter writes (the legacy block types, F16 and F32). */
export const ggufTypes = ['f32', 'f16', 'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1'] as const;
export type GgufExportType = (typeof ggufTypes)[number];
export type GgufKQuantType = 'q2_k' | 'q3_k' | 'q4_k' | 'q5_k' | 'q6_k';
export type GgufTargetType = GgufExportType | GgufKQuantType;

const BLOCK: Record<GgufTargetType, number> = {
  f32: 1, f16: 1, q8_0: 32, q4_0: 32, q4_1: 32, q5_0: 32, q5_1: 32,
  q2_k: 256, q3_k: 256, q4_k: 256, q5_k: 256, q6_k: 256,
};

const KQUANT_FALLBACK: Record<GgufKQuantType, GgufExportType> = {
  q2_k: 'q4_0', q3_k: 'q4_0', q4_k: 'q5_0', q5_k: 'q5_1', q6_k: 'q8_0',
};

export interface GgufTypeChoice {
  requested: GgufTargetType;
  /** The type the tensor is written in. */
  type: GgufTargetType;
  /** Set when `type` differs from `requested`: why, e.g. "172 columns not a multiple of 32". */
  reason?: string;
}

/** Elements per block of a GGUF type (1 for f32/f16). */
export function ggufBlockSize(type: GgufTargetType): number {
  return BLOCK[type];
}

/** The type a tensor with rows of `rowLength` elements gets when `requested` is asked for. */
export function ggufFallbackType(requested: GgufTargetType, rowLength: number): GgufTypeChoice {
  if (!Number.isSafeInteger(rowLength) || rowLength < 0) throw new RangeError(`row length must be a non-negative integer, got ${rowLength}`);
  if (!(requested in BLOCK)) throw new RangeError(`unknown GGUF type '${requested}'`);
  let type: GgufTargetType = requested;
  if (rowLength % BLOCK[type] !== 0 && type in KQUANT_FALLBACK) type = KQUANT_FALLBACK[type as GgufKQuantType];
  if (rowLength % BLOCK[type] !== 0) type = 'f16';
  if (type === requested) return { requested, type };
  const blocks = type === 'f16' && BLOCK[requested] === 256 ? '256 or 32' : String(BLOCK[requested]);
  return { requested, type, reason: `${rowLength} columns not a multiple of ${blocks}` };
}

/** "blk.0.ffn_down.weight: 172 columns not a multiple of 32 → F16", or undefined when nothing changed. */
export function describeGgufFallback(tensor: string, choice: GgufTypeChoice): string | undefined {
  if (!choice.reason) return undefined;
  return `${tensor}: ${choice.reason} → ${choice.type.toUpperCase()}`;
}
