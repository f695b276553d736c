// A plain TypeScript transcription of compressed-tensors' integer quantization
// (calculate_qparams, _quantize, _dequantize, pack_to_int32), written from its
// formulas and independent of the native code, with float32 rounding after
// every operation (Math.fround) as torch does on float32 tensors.
const f = Math.fround;

/** torch.round: half to even. */
export function roundEven(x: number): number {
  const fl = Math.floor(x), d = x - fl;
  if (d < 0.5) return fl;
  if (d > 0.5) return fl + 1;
  return fl % 2 === 0 ? fl : fl + 1;
}

export interface RefParams {
  scale: number;
  zero: number;
}

export function refQParams(lo: number, hi: number, bits: number, symmetric: boolean): RefParams {
  const qmin = -(2 ** (bits - 1)), qmax = 2 ** (bits - 1) - 1, range = qmax - qmin;
  lo = Math.min(f(lo), 0);
  hi = Math.max(f(hi), 0);
  let scale = symmetric ? f(Math.max(Math.abs(lo), Math.abs(hi)) / (range / 2)) : f(f(hi - lo) / range);
  if (scale === 0) scale = 2 ** -23;
  const zero = symmetric ? 0 : roundEven(Math.min(Math.max(f(qmin - f(lo / scale)), qmin), qmax));
  return { scale, zero };
}

export function refCode(x: number, p: RefParams, bits: number): number {
  const qmin = -(2 ** (bits - 1)), qmax = 2 ** (bits - 1) - 1;
  const v = f(f(x / p.scale) + p.zero);
  return roundEven(Math.min(Math.max(v, qmin), qmax));
}

export const refDequant = (q: number, p: RefParams): number => f(f(q - p.zero) * p.scale);

export interface RefQuantized {
  codes: Int8Array;
  scales: Float32Array;
  zeroPoints: Int32Array;
  sse: number;
  sumSquares: number;
  maxAbsError: number;
}

/** Min-max range per tensor ('tensor'), row ('channel') or group of `groupSize` columns. */
export function refQuantize(
  x: Float32Array,
  cols: number,
  bits: number,
  symmetric: boolean,
  granularity: 'tensor' | 'channel' | 'group',
  groupSize = cols,
): RefQuantized {
  const group = granularity === 'tensor' ? x.length : granularity === 'channel' ? cols : groupSize;
  const nParams = granularity === 'tensor' ? 1 : x.length / group;
  const out: RefQuantized = {
    codes: new Int8Array(x.length),
    scales: new Float32Array(nParams),
    zeroPoints: new Int32Array(nParams),
    sse: 0,
    sumSquares: 0,
    maxAbsError: 0,
  };
  for (let u = 0; u < nParams; u++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = u * group; i < Math.min(x.length, (u + 1) * group); i++) {
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
    }
    if (lo > hi) lo = hi = 0;
    const p = refQParams(lo, hi, bits, symmetric);
    out.scales[u] = p.scale;
    out.zeroPoints[u] = p.zero;
    for (let i = u * group; i < Math.min(x.length, (u + 1) * group); i++) {
      const q = refCode(x[i], p, bits);
      out.codes[i] = q;
      const e = f(x[i] - refDequant(q, p));
      out.sse += e * e;
      out.sumSquares += x[i] * x[i];
      out.maxAbsError = Math.max(out.maxAbsError, Math.abs(e));
    }
  }
  return out;
}

/** compressed-tensors ≥ 0.13 pack_to_int32 along rows: code i at bit i·b of the row's bit stream. */
export function refPackRows(codes: Int8Array, rows: number, cols: number, bits: number): Int32Array {
  const words = Math.ceil((cols * bits) / 32);
  const out = new Int32Array(rows * words);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) {
      const u = BigInt(codes[r * cols + i] + 2 ** (bits - 1));
      const pos = i * bits;
      // Write through a 64-bit window so a code straddling two words splits naturally.
      const w = Math.floor(pos / 32), off = BigInt(pos % 32);
      const v = u << off;
      out[r * words + w] |= Number(BigInt.asIntN(32, v & 0xffffffffn));
      if (w + 1 < words) out[r * words + w + 1] |= Number(BigInt.asIntN(32, v >> 32n));
    }
  }
  return out;
}
