// float32 → IEEE half / bfloat16 bit patterns, round to nearest even (like
// numpy and torch), for building F16/BF16 test tensors.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toBf16(x: Float32Array): Uint16Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    f32[0] = x[i];
    const u = u32[0];
    out[i] = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
  }
  return out;
}

export function toF16(x: Float32Array): Uint16Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    f32[0] = x[i];
    const u = u32[0], sign = (u >>> 16) & 0x8000, a = u & 0x7fffffff;
    if (a >= 0x477ff000) out[i] = sign | 0x7c00; // overflow (no NaN in tests)
    else if (a < 0x38800000) {
      // subnormal half: value / 2^-24, rounded to even
      const v = Math.abs(x[i]) / 2 ** -24, r = Math.round(v);
      out[i] = sign | (v - Math.floor(v) === 0.5 && r % 2 ? r - 1 : r);
    } else out[i] = sign | ((a - (112 << 23) + 0xfff + ((a >>> 13) & 1)) >>> 13);
  }
  return out;
}

export function fromHalf(h: Uint16Array, dtype: 'F16' | 'BF16'): Float32Array {
  const out = new Float32Array(h.length), o32 = new Uint32Array(out.buffer);
  for (let i = 0; i < h.length; i++) {
    if (dtype === 'BF16') o32[i] = h[i] << 16;
    else {
      const e = (h[i] >> 10) & 0x1f, m = h[i] & 0x3ff, s = h[i] & 0x8000 ? -1 : 1;
      out[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? s * Infinity : s * (1 + m / 1024) * 2 ** (e - 15);
    }
  }
  return out;
}
