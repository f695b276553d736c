// NF4 / FP4 4-bit quantization in bitsandbytes' layout (native/quant/bnb4.h):
// blockwise absmax over the flattened tensor (block 64 by default), two codes
// per byte with the first element in the high nibble, and optional double
// quantization of the absmax values (offset = mean, then 8-bit dynamic-map
// codes in blocks of 256). These arrays are what a transformers bnb-4bit
// checkpoint stores per weight:
//   weight                         ← packed   (uint8, shape [(numel + 1) / 2, 1])
//   weight.absmax                  ← absmax (float32) or absmaxCodes (uint8, double quant)
//   weight.quant_map               ← codeMap
//   weight.nested_absmax           ← nestedAbsmax      (double quant)
//   weight.nested_quant_map        ← nestedCodeMap     (double quant)
//   weight.quant_state.bitsandbytes__nf4|fp4 ← JSON { quant_type, blocksize, dtype, shape,
//                                     nested_blocksize, nested_dtype: 'float32', nested_offset: offset }
import { runNative, type JobOptions } from '../native/job.js';
import { native, type NativeJobOptions, type NativeTensor } from '../native/addon.js';
import type { QuantMetrics } from './metrics.js';

export type Bnb4Type = 'nf4' | 'fp4';

export interface Bnb4Options {
  /** Default 'nf4'. */
  type?: Bnb4Type;
  /** 32 … 4096, a power of two; default 64. */
  blocksize?: number;
  /** Quantize the absmax values too (bitsandbytes' compress_statistics / bnb_4bit_use_double_quant). */
  doubleQuant?: boolean;
}

/** Arrays to fill instead of allocating (exact lengths). */
export type Bnb4Out = Partial<Pick<Bnb4Quantized, 'packed' | 'absmax' | 'absmaxCodes' | 'nestedAbsmax'>>;

export interface Bnb4Quantized {
  packed: Uint8Array;
  /** The 16 code values (quant_map). */
  codeMap: Float32Array;
  blocksize: number;
  /** Without double quant: one float32 per block. */
  absmax?: Float32Array;
  /** With double quant: one 8-bit code per block, and per 256 blocks a float32. */
  absmaxCodes?: Uint8Array;
  nestedAbsmax?: Float32Array;
  offset?: number;
  nestedCodeMap?: Float32Array;
  nestedBlocksize?: number;
  /** Against the weights as a loader reconstructs them (double-quantized absmax included). */
  metrics: QuantMetrics;
}

type Bnb4Stored = Pick<Bnb4Quantized, 'packed' | 'absmax' | 'absmaxCodes' | 'nestedAbsmax' | 'offset'>;

declare module '../native/addon.js' {
  interface NativeAddon {
    quantizeBnb4(t: NativeTensor, opts?: NativeJobOptions & Bnb4Options & { out?: Bnb4Out }): Promise<Bnb4Quantized>;
    dequantizeBnb4(q: Bnb4Stored, opts: NativeJobOptions & Bnb4Options & { numel: number; out?: Float32Array }): Promise<Float32Array>;
  }
}

export function quantizeBnb4(t: NativeTensor, opts: Bnb4Options & JobOptions & { out?: Bnb4Out } = {}): Promise<Bnb4Quantized> {
  const { signal, onProgress, ...spec } = opts;
  return runNative({ signal, onProgress }, (n) => native().quantizeBnb4(t, { ...spec, ...n }), { tensor: t.name });
}

/** The float32 weights a loader reconstructs, flattened (numel values). */
export function dequantizeBnb4(
  q: Bnb4Stored,
  numel: number,
  spec: Omit<Bnb4Options, 'doubleQuant'>,
  opts: JobOptions & { out?: Float32Array } = {},
): Promise<Float32Array> {
  const { out, ...job } = opts;
  return runNative(job, (n) => native().dequantizeBnb4(q, { ...spec, numel, out, ...n }));
}
