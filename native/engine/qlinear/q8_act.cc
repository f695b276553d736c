#include "engine/qlinear/q8_act.h"

#include <climits>
#include <cmath>

#include "core/fp16.h"
#include "cpu/cpu_features.h"

namespace mcs::engine::qlinear {
namespace {

// cvtps_epi32 then two saturating packs, as the AVX2 path (and llama.cpp's):
// out-of-range and non-finite values become INT32_MIN, then −128.
int8_t to_i8(float r) {
  const int32_t i = (r > -2147483904.0f && r < 2147483648.0f) ? int32_t(r) : INT32_MIN;
  return int8_t(i < -128 ? -128 : i > 127 ? 127 : i);
}

}  // namespace

void Q8Act::resize(int64_t T_, int64_t K_, bool sums) {
  T = T_, K = K_, blocks = K_ / 32, with_sums = sums;
  q.resize(size_t(T * K));
  d.resize(size_t(T * blocks));
  s.resize(sums ? size_t(T * blocks) : 0);
}

void quantize_q8_ref(const float* x, Q8Act& a, int64_t t0, int64_t t1) {
  for (int64_t t = t0; t < t1; ++t)
    for (int64_t b = 0; b < a.blocks; ++b) {
      const float* v = x + t * a.K + b * 32;
      float amax = 0.0f;
      for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(v[j]));
      const float d = amax / 127.0f;
      const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
      int8_t* q = a.q.data() + t * a.K + b * 32;
      uint32_t sum = 0;  // wraps like the SIMD lanes
      for (int j = 0; j < 32; ++j) {
        const float r = std::nearbyint(v[j] * id);  // ties to even, as _mm256_round_ps(…, NEAREST)
        q[j] = to_i8(r);
        const int32_t i = (r > -2147483904.0f && r < 2147483648.0f) ? int32_t(r) : INT32_MIN;
        sum += uint32_t(i);  // the AVX2 path sums the int32 values before packing
      }
      a.d[size_t(t * a.blocks + b)] = f16_to_f32(f32_to_f16(d));
      if (a.with_sums) a.s[size_t(t * a.blocks + b)] = f16_to_f32(f32_to_f16(d * float(int32_t(sum))));
    }
}

void quantize_q8(const float* x, Q8Act& a, int64_t t0, int64_t t1) {
  if (cpu::use_avx2()) return avx2::quantize_q8(x, a, t0, t1);
  quantize_q8_ref(x, a, t0, t1);
}

}  // namespace mcs::engine::qlinear
