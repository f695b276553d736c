// Scale and zero point of uniform integer quantization, following
// compressed-tensors (quantization/utils/helpers.py: calculate_range,
// calculate_qparams; lifecycle/forward.py: _quantize, _dequantize), because our
// safetensors export writes its pack-quantized layout and vLLM/transformers
// dequantize with exactly these formulas:
//
//   codes are signed for both schemes: q ∈ [qmin, qmax] = [−2^(b−1), 2^(b−1)−1]
//   lo ← min(lo, 0), hi ← max(hi, 0)           (0 must be representable)
//   symmetric: scale = max(|lo|, |hi|) / ((2^b − 1) / 2),  zero point 0
//   affine:    scale = (hi − lo) / (2^b − 1),
//              zp    = round(clamp(qmin − lo / scale, qmin, qmax))
//   a zero scale becomes FLT_EPSILON (all-zero groups)
//   q  = round(clamp(x / scale + zp, qmin, qmax))  (round half to even, torch.round)
//   x̂ = (q − zp) · scale
//
// Why this convention and not scale = absmax / (2^(b−1) − 1): the symmetric
// scale divides by 7.5 (4 bits), so the positive extreme maps to 7.5, which
// clamps to 7, and the negative side uses code −8: the whole signed range is
// used and the error at the extremes stays within half a step. Matching it
// means codes we write dequantize to the values we measured.
//
// Affine codes are the unsigned codes u ∈ [0, 2^b − 1] shifted by −2^(b−1)
// (likewise the zero point), so 8-bit codes fit int8; (q − zp) is unchanged.
// pack.h adds the 2^(b−1) back when packing, as compressed-tensors does.
//
// All arithmetic is float32 like torch on float32 weights: for F32 inputs the
// codes match compressed-tensors bit for bit. For BF16/F16 weights torch would
// compute in the weight's dtype; we compute in float32 from the exact widened
// values (optionally with the scale rounded to the stored dtype first).
#pragma once
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "core/fp16.h"

namespace mcs::quant {

struct IntGrid {
  int qmin, qmax;
};

inline IntGrid int_grid(int bits) { return {-(1 << (bits - 1)), (1 << (bits - 1)) - 1}; }

// Float type the scales will be stored in; the scale is rounded to it before
// the zero point and codes are computed, so codes fit the stored scale.
enum class ScaleType { F32, F16, BF16 };

struct QParams {
  float scale = 1.0f;
  float zero = 0.0f;  // the zero point as float (an integer value)
  // The clipping range the parameters were made for ([−T, T] symmetric);
  // weights outside it count as clipped.
  float clip_lo = -INFINITY, clip_hi = INFINITY;
};

// torch.round: half to even, for |x| ≤ 2^22 (every caller clamps first).
// Adding and subtracting 1.5·2^23 leaves x rounded to an integer by the FPU's
// round-to-nearest-even; unlike nearbyintf it is never a library call.
inline float round_even(float x) {
  constexpr float kBig = 12582912.0f;  // not folded away: IEEE semantics, no -ffast-math
  return (x + kBig) - kBig;
}

inline float round_scale(float s, ScaleType t) {
  switch (t) {
    case ScaleType::F16: return f16_to_f32(f32_to_f16(s));
    case ScaleType::BF16: return bf16_to_f32(f32_to_bf16(s));
    case ScaleType::F32: break;
  }
  return s;
}

inline QParams compute_qparams(float lo, float hi, int bits, bool symmetric, ScaleType st = ScaleType::F32) {
  const IntGrid g = int_grid(bits);
  lo = std::fmin(lo, 0.0f);
  hi = std::fmax(hi, 0.0f);
  const float bit_range = static_cast<float>(g.qmax - g.qmin);
  QParams p;
  if (symmetric) {
    const float t = std::fmax(std::fabs(lo), std::fabs(hi));
    p.scale = t / (bit_range / 2.0f);
    p.clip_lo = -t;
    p.clip_hi = t;
  } else {
    p.clip_lo = lo;
    p.clip_hi = hi;
    p.scale = (hi - lo) / bit_range;
  }
  p.scale = round_scale(p.scale, st);
  if (p.scale == 0.0f) p.scale = FLT_EPSILON;
  if (!symmetric) {
    const float zp = static_cast<float>(g.qmin) - lo / p.scale;
    p.zero = std::nearbyintf(std::fmin(std::fmax(zp, static_cast<float>(g.qmin)), static_cast<float>(g.qmax)));
  }
  return p;
}

// One element, exactly as the kernels compute it.
inline float quantize_value(float x, const QParams& p, IntGrid g) {
  const float v = x / p.scale + p.zero;
  return round_even(std::fmin(std::fmax(v, static_cast<float>(g.qmin)), static_cast<float>(g.qmax)));
}

inline float dequantize_value(float q, const QParams& p) { return (q - p.zero) * p.scale; }

// Clipped: outside the range chosen by range setting (never for min-max).
inline bool is_clipped(float x, const QParams& p) { return x < p.clip_lo || x > p.clip_hi; }

}  // namespace mcs::quant
