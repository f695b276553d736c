// What one compressed layer holds, read and checked from its parts' headers and
// their small metadata tensors (weight_shape, shape, the bitsandbytes quant
// state): the logical shape, the bit width and grouping, a short label. The
// rules mirror the engine's loader (native/engine/qlinear/int_layout.cc,
// bnb4_linear.cc, sparse24_linear.cc), so a layer the inspector decodes is a
// layer the engine runs the same way; a malformed part is a StudioError naming
// its file and tensor.
import { StudioError } from '../../common/errors.js';
import type { TensorEntry } from '../models/types.js';
import type { StoredLayer } from './stored-layers.js';

/** Reads a small tensor's bytes (metadata only: shapes, a JSON state). */
export type SmallTensorReader = (entry: TensorEntry) => Uint8Array;

export type Granularity = 'tensor' | 'channel' | 'group';

interface Common {
  layer: StoredLayer;
  /** Logical [rows, cols]. */
  shape: [number, number];
  /** 'int4 g32 sym', 'nf4 b64 dq', '2:4 F16'. */
  label: string;
}

export type StoredLayout =
  | (Common & {
      kind: 'pack' | 'int';
      bits: number;
      granularity: Granularity;
      groupSize?: number;
      symmetric: boolean;
      /** weight_packed (pack) or weight (int, I8 codes). */
      codes: TensorEntry;
      scale: TensorEntry;
      zeroPoint?: TensorEntry;
      /** The zero points are b-bit codes packed down the rows (int32). */
      zeroPointPacked: boolean;
    })
  | (Common & { kind: 'sparse24'; compressed: TensorEntry; bitmask: TensorEntry })
  | (Common & {
      kind: 'bnb4';
      type: 'nf4' | 'fp4';
      blocksize: number;
      packed: TensorEntry;
      absmax: TensorEntry;
      /** Double quantization: absmax holds 8-bit codes decoded with these. */
      nested?: { absmax: TensorEntry; offset: number };
    });

const FLOATS = ['F32', 'F16', 'BF16'];
const INTS = ['I8', 'I16', 'I32', 'I64'];
/** bitsandbytes' double quantization always uses blocks of 256 absmax values (native/quant/bnb4.h). */
const NESTED_BLOCK = 256;

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const dims = (shape: number[]) => `[${shape.join(', ')}]`;
const wordsFor = (n: number, bits: number) => Math.ceil((n * bits) / 32);

function bad(t: TensorEntry, problem: string): StudioError {
  return new StudioError('BAD_FILE', `${t.file}: tensor '${t.name}' ${problem}`, { file: t.file, tensor: t.name });
}

function need(layer: StoredLayer, role: string, why: string): TensorEntry {
  const t = layer.parts[role];
  if (t) return t;
  const any = Object.values(layer.parts)[0];
  throw new StudioError('BAD_FILE', `${any.file}: layer '${layer.name}' has no '${role}' tensor (${why})`, { file: any.file, tensor: layer.name.replace(/weight$/, role) });
}

function expectDtype(t: TensorEntry, allowed: string[]): void {
  if (!allowed.includes(t.dtype)) throw bad(t, `is ${t.dtype}, expected ${allowed.join(' or ')}`);
}

/** Integer values of a small int tensor (I8…I64). */
function ints(t: TensorEntry, read: SmallTensorReader, count?: number): number[] {
  expectDtype(t, INTS);
  if (count !== undefined && numel(t.shape) !== count) throw bad(t, `has shape ${dims(t.shape)}, expected ${count} value(s)`);
  if (numel(t.shape) > 64) throw bad(t, `has ${numel(t.shape)} values, more than a shape or bit width holds`);
  const b = read(t);
  const copy = b.slice().buffer;
  const view = t.dtype === 'I64' ? Array.from(new BigInt64Array(copy), Number)
    : t.dtype === 'I32' ? Array.from(new Int32Array(copy))
    : t.dtype === 'I16' ? Array.from(new Int16Array(copy))
    : Array.from(new Int8Array(copy));
  return view;
}

function twoDims(t: TensorEntry, values: number[]): [number, number] {
  if (values.length !== 2 || !values.every((v) => Number.isSafeInteger(v) && v > 0 && v <= 2 ** 31))
    throw bad(t, `must hold two positive dimensions, holds ${dims(values)}`);
  return [values[0], values[1]];
}

function intLabel(bits: number, g: Granularity, groupSize: number | undefined, symmetric: boolean): string {
  return `int${bits} ${g === 'group' ? `g${groupSize}` : g} ${symmetric ? 'sym' : 'asym'}`;
}

/** Bit width of packed rows: quantization_config's, else the only width the word count fits (as the engine does). */
function packedBits(layer: StoredLayer, packed: TensorEntry, cols: number): number {
  const words = packed.shape[1];
  if (layer.configBits !== undefined) {
    if (!(layer.configBits >= 2 && layer.configBits <= 8)) throw bad(packed, `is ${layer.configBits}-bit by quantization_config; 2 to 8 bits are supported`);
    return layer.configBits;
  }
  const fits = [2, 3, 4, 5, 6, 7, 8].filter((b) => wordsFor(cols, b) === words);
  if (fits.length === 1) return fits[0];
  throw bad(packed, fits.length ? `could hold ${fits.join(' or ')}-bit codes for ${cols} columns and quantization_config gives no num_bits`
    : `has ${words} words per row, which fits no bit width from 2 to 8 for ${cols} columns`);
}

function readInt(layer: StoredLayer, read: SmallTensorReader): StoredLayout {
  const pack = layer.kind === 'pack';
  let rows: number, cols: number, bits: number, codes: TensorEntry;
  if (pack) {
    codes = need(layer, 'weight_packed', 'the packed codes');
    const shapeT = need(layer, 'weight_shape', 'pack-quantized weights record their shape');
    [rows, cols] = twoDims(shapeT, ints(shapeT, read));
    expectDtype(codes, ['I32']);
    if (codes.shape.length !== 2 || codes.shape[0] !== rows) throw bad(codes, `has shape ${dims(codes.shape)}, expected [${rows}, words] for the weight_shape [${rows}, ${cols}]`);
    bits = packedBits(layer, codes, cols);
    if (codes.shape[1] !== wordsFor(cols, bits)) throw bad(codes, `has shape ${dims(codes.shape)}, expected [${rows}, ${wordsFor(cols, bits)}] for ${cols} ${bits}-bit codes per row`);
  } else {
    codes = need(layer, 'weight', 'the int8 codes');
    if (codes.shape.length !== 2 || codes.shape[0] < 1 || codes.shape[1] < 1) throw bad(codes, `has shape ${dims(codes.shape)}, expected a matrix`);
    [rows, cols] = [codes.shape[0], codes.shape[1]];
    bits = 8;
  }
  const scale = need(layer, 'weight_scale', 'quantized weights need their scales');
  expectDtype(scale, FLOATS);
  const s = scale.shape;
  const perTensor = numel(s) === 1 && (s.length <= 1 || (s.length === 2 && rows !== 1 && s[0] === 1));
  let granularity: Granularity = 'tensor', groups = 1;
  if (!perTensor) {
    if (s.length !== 2 || s[0] !== rows || s[1] < 1) throw bad(scale, `has shape ${dims(s)}, expected [${rows}, groups]`);
    groups = s[1];
    if (cols % groups) throw bad(scale, `has ${groups} groups per row, which do not divide the ${cols} columns`);
    granularity = groups === 1 ? 'channel' : 'group';
  }
  const groupSize = granularity === 'group' ? cols / groups : undefined;
  const zeroPoint = layer.parts.weight_zero_point;
  let zeroPointPacked = false;
  if (zeroPoint) {
    expectDtype(zeroPoint, INTS);
    if (numel(zeroPoint.shape) === 1 && perTensor) {
      // one zero point for the whole tensor
    } else if (zeroPoint.dtype === 'I32' && pack) {
      zeroPointPacked = true;
      const want = [wordsFor(rows, bits), groups];
      if (zeroPoint.shape.length !== 2 || zeroPoint.shape[0] !== want[0] || zeroPoint.shape[1] !== want[1]) throw bad(zeroPoint, `has shape ${dims(zeroPoint.shape)}, expected ${dims(want)} (${bits}-bit zero points packed down the rows)`);
    } else if (numel(zeroPoint.shape) !== rows * groups) {
      throw bad(zeroPoint, `has shape ${dims(zeroPoint.shape)}, expected ${rows * groups} zero points`);
    }
  }
  const symmetric = !zeroPoint;
  return { kind: layer.kind as 'pack' | 'int', layer, shape: [rows, cols], label: intLabel(bits, granularity, groupSize, symmetric), bits, granularity, groupSize, symmetric, codes, scale, zeroPoint, zeroPointPacked };
}

function readSparse24(layer: StoredLayer, read: SmallTensorReader): StoredLayout {
  const shapeT = need(layer, 'shape', 'the dense shape');
  const [rows, cols] = twoDims(shapeT, ints(shapeT, read));
  const compressed = need(layer, 'compressed', 'the kept values');
  const bitmask = need(layer, 'bitmask', 'which values were kept');
  expectDtype(compressed, FLOATS);
  if (cols % 4) throw bad(shapeT, `gives ${cols} columns, not groups of 4 (2:4 sparsity)`);
  if (numel(compressed.shape) !== rows * (cols / 2) || compressed.shape[0] !== rows) throw bad(compressed, `has shape ${dims(compressed.shape)}, expected [${rows}, ${cols / 2}] (two of every four of [${rows}, ${cols}])`);
  expectDtype(bitmask, ['U8']);
  if (numel(bitmask.shape) !== rows * Math.ceil(cols / 8)) throw bad(bitmask, `has shape ${dims(bitmask.shape)}, expected [${rows}, ${Math.ceil(cols / 8)}]`);
  return { kind: 'sparse24', layer, shape: [rows, cols], label: `2:4 ${compressed.dtype}`, compressed, bitmask };
}

function readBnb4(layer: StoredLayer, read: SmallTensorReader): StoredLayout {
  const stateRole = Object.keys(layer.parts).find((r) => r.startsWith('weight.quant_state.'));
  if (!stateRole) need(layer, 'weight.quant_state.bitsandbytes__nf4', 'the bitsandbytes quantization state');
  const stateT = layer.parts[stateRole!];
  expectDtype(stateT, ['U8']);
  if (stateT.byteLength > 65536) throw bad(stateT, `is ${stateT.byteLength} bytes, too large for a quantization state`);
  let state: { quant_type?: unknown; blocksize?: unknown; shape?: unknown; nested_blocksize?: unknown; nested_offset?: unknown };
  try {
    state = JSON.parse(Buffer.from(read(stateT)).toString('utf8'));
  } catch (e) {
    throw bad(stateT, `is not JSON (${(e as Error).message})`);
  }
  const suffix = stateRole!.slice(stateRole!.lastIndexOf('__') + 2);
  if (state.quant_type !== suffix || (suffix !== 'nf4' && suffix !== 'fp4')) throw bad(stateT, `has quant_type ${JSON.stringify(state.quant_type)}, expected '${suffix}' (nf4 or fp4)`);
  const blocksize = state.blocksize;
  if (typeof blocksize !== 'number' || !Number.isInteger(blocksize) || blocksize < 32 || blocksize > 4096 || (blocksize & (blocksize - 1))) throw bad(stateT, `has blocksize ${JSON.stringify(blocksize)}, expected a power of two from 32 to 4096`);
  if (!Array.isArray(state.shape)) throw bad(stateT, 'has no shape');
  const [rows, cols] = twoDims(stateT, state.shape as number[]);
  const n = rows * cols;
  const packed = need(layer, 'weight', 'the packed 4-bit codes');
  expectDtype(packed, ['U8']);
  if (numel(packed.shape) !== Math.ceil(n / 2)) throw bad(packed, `has ${numel(packed.shape)} bytes, expected ${Math.ceil(n / 2)} for [${rows}, ${cols}] 4-bit codes`);
  const blocks = Math.ceil(n / blocksize);
  const absmax = need(layer, 'weight.absmax', 'one scale per block');
  if (numel(absmax.shape) !== blocks) throw bad(absmax, `holds ${numel(absmax.shape)} values, expected ${blocks} blocks of ${blocksize}`);
  let nested: { absmax: TensorEntry; offset: number } | undefined;
  if (absmax.dtype === 'U8') {
    const nestedAbsmax = need(layer, 'weight.nested_absmax', 'double quantization');
    expectDtype(nestedAbsmax, ['F32']);
    if (state.nested_blocksize !== NESTED_BLOCK) throw bad(stateT, `has nested_blocksize ${JSON.stringify(state.nested_blocksize)}; double quantization in blocks of ${NESTED_BLOCK} is supported`);
    if (typeof state.nested_offset !== 'number' || !Number.isFinite(state.nested_offset)) throw bad(stateT, "needs a numeric 'nested_offset' for double quantization");
    if (numel(nestedAbsmax.shape) !== Math.ceil(blocks / NESTED_BLOCK)) throw bad(nestedAbsmax, `holds ${numel(nestedAbsmax.shape)} values, expected ${Math.ceil(blocks / NESTED_BLOCK)}`);
    nested = { absmax: nestedAbsmax, offset: state.nested_offset };
  } else {
    expectDtype(absmax, ['F32', 'U8']);
  }
  return { kind: 'bnb4', layer, shape: [rows, cols], label: `${suffix} b${blocksize}${nested ? ' dq' : ''}`, type: suffix, blocksize, packed, absmax, nested };
}

/** Reads and checks one compressed layer's layout; throws a StudioError naming the bad tensor. */
export function readStoredLayout(layer: StoredLayer, read: SmallTensorReader): StoredLayout {
  switch (layer.kind) {
    case 'pack':
    case 'int':
      return readInt(layer, read);
    case 'sparse24':
      return readSparse24(layer, read);
    case 'bnb4':
      return readBnb4(layer, read);
  }
}
