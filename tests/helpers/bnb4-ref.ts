// bitsandbytes 4-bit quantization transcribed from its CUDA kernels
// (csrc/kernels.cu: kQuantizeBlockwise, dQuantizeNF4 and dQuantizeFP4 decision
// trees with their literal thresholds) and get_4bit_type's tables; independent
// of the native code, float32 rounding via Math.fround.
const f = Math.fround;

export const NF4 = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334,
  -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
].map(f);
export const FP4 = [0, 0.0625, 8, 12, 4, 6, 2, 3, -0, -0.0625, -8, -12, -4, -6, -2, -3].map((v) => f(v / 12));

export function dQuantizeNF4(x: number): number {
  const t = (v: number) => x > f(v);
  if (t(0.03979014977812767)) {
    if (t(0.3893125355243683)) {
      if (t(0.6427869200706482)) return t(0.8614784181118011) ? 0b1111 : 0b1110;
      return t(0.5016634166240692) ? 0b1101 : 0b1100;
    }
    if (t(0.2035212516784668)) return t(0.2920137718319893) ? 0b1011 : 0b1010;
    return t(0.1202552504837513) ? 0b1001 : 0b1000;
  }
  if (t(-0.33967943489551544)) {
    if (t(-0.13791173323988914)) return t(-0.045525018125772476) ? 0b0111 : 0b0110;
    return t(-0.23460740596055984) ? 0b0101 : 0b0100;
  }
  if (t(-0.6106329262256622)) return t(-0.4599952697753906) ? 0b0011 : 0b0010;
  return t(-0.8480964004993439) ? 0b0001 : 0b0000;
}

export function dQuantizeFP4(x: number): number {
  const sign = x < 0 ? 0b1000 : 0;
  const a = Math.abs(x), t = (v: number) => a > f(v);
  if (t(0.29166667)) {
    if (t(0.583333)) return (t(0.8333333) ? 0b0011 : 0b0010) + sign;
    return (t(0.4166667) ? 0b101 : 0b100) + sign;
  }
  if (t(0.0859375)) return (t(0.20833333) ? 0b0111 : 0b0110) + sign;
  return (t(0.00260417) ? 0b0001 : 0b0000) + sign;
}

export function refQuantizeBnb4(x: Float32Array, type: 'nf4' | 'fp4', blocksize: number) {
  const blocks = Math.ceil(x.length / blocksize);
  const absmax = new Float32Array(blocks), packed = new Uint8Array((x.length + 1) >> 1);
  const quant = type === 'nf4' ? dQuantizeNF4 : dQuantizeFP4;
  for (let i = 0; i < x.length; i++) absmax[Math.floor(i / blocksize)] = Math.max(absmax[Math.floor(i / blocksize)], Math.abs(x[i]));
  for (let i = 0; i < packed.length * 2; i++) {
    const b = Math.floor(Math.min(i, x.length - 1) / blocksize);
    const inv = f(1 / Math.max(absmax[b], 1e-38));
    const v = i < x.length ? x[i] : 0; // the kernel loads 0 past the end
    const s = Math.min(Math.max(f(v * inv), -1), 1);
    packed[i >> 1] |= i & 1 ? quant(s) : quant(s) << 4;
  }
  return { packed, absmax };
}
