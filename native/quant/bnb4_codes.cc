#include "quant/bnb4_codes.h"

#include <algorithm>
#include <vector>

namespace mcs::quant {
namespace {

// Midpoints (a + b) / 2 in float32 of consecutive sorted values.
void midpoints(const float* sorted, int n, float* out) {
  for (int i = 0; i + 1 < n; ++i) out[i] = (sorted[i] + sorted[i + 1]) / 2.0f;
}

Bnb4Codebook make_nf4() {
  // bitsandbytes get_4bit_type("nf4"): quantiles of N(0, 1) normalised to [−1, 1]
  // (create_normal_map(offset=0.9677083)), in code order, which is sorted.
  static const float v[16] = {-1.0f,
                              -0.6961928009986877f,
                              -0.5250730514526367f,
                              -0.39491748809814453f,
                              -0.28444138169288635f,
                              -0.18477343022823334f,
                              -0.09105003625154495f,
                              0.0f,
                              0.07958029955625534f,
                              0.16093020141124725f,
                              0.24611230194568634f,
                              0.33791524171829224f,
                              0.44070982933044434f,
                              0.5626170039176941f,
                              0.7229568362236023f,
                              1.0f};
  Bnb4Codebook cb{};
  std::copy(v, v + 16, cb.value);
  midpoints(v, 16, cb.threshold);
  return cb;
}

Bnb4Codebook make_fp4() {
  // get_4bit_type("fp4"): 1 sign, 2 exponent, 1 mantissa bit (bias 2, values in
  // bit-pattern order), divided by the largest magnitude 12.
  static const float raw[8] = {0.0f, 0.0625f, 8.0f, 12.0f, 4.0f, 6.0f, 2.0f, 3.0f};
  Bnb4Codebook cb{};
  for (int i = 0; i < 8; ++i) {
    cb.value[i] = raw[i] / 12.0f;
    cb.value[i + 8] = -raw[i] / 12.0f;
  }
  float mags[8];
  for (int k = 0; k < 8; ++k) mags[k] = cb.value[kFp4MagnitudeCode[k]];
  midpoints(mags, 8, cb.threshold);
  return cb;
}

std::vector<float> make_dynamic_map() {
  // Signed, 7 exponent bits, 8 bits in all: for exponent i = 0..6, 2^i fraction
  // values (means of a linspace(0.1, 1, 2^i + 1)) scaled by 10^(i − 6), with
  // both signs; then 0 and 1. float32 throughout, as torch computes it.
  std::vector<float> data;
  for (int i = 0; i < 7; ++i) {
    const int64_t steps = (int64_t(1) << i) + 1;
    std::vector<float> b(static_cast<size_t>(steps));
    // torch.linspace(0.1, 1, steps) on the CPU: from the start for the first
    // half, from the end for the second, with a float32 step.
    const float start = 0.1f, end = 1.0f, step = (end - start) / float(steps - 1);
    for (int64_t k = 0; k < steps; ++k)
      b[k] = k < steps / 2 ? start + step * float(k) : end - step * float(steps - k - 1);
    const float scale = static_cast<float>(std::pow(10.0, double(i - 6)));
    for (int64_t k = 0; k + 1 < steps; ++k) {
      const float mean = (b[k] + b[k + 1]) / 2.0f;
      data.push_back(scale * mean);
      data.push_back(-(scale * mean));
    }
  }
  data.push_back(0.0f);
  data.push_back(1.0f);
  std::sort(data.begin(), data.end());
  return data;
}

}  // namespace

const Bnb4Codebook& bnb4_codebook(Bnb4Type t) {
  static const Bnb4Codebook nf4 = make_nf4(), fp4 = make_fp4();
  return t == Bnb4Type::NF4 ? nf4 : fp4;
}

const float* dynamic_map() {
  static const std::vector<float> map = make_dynamic_map();
  return map.data();
}

uint8_t dynamic_code(float s) {
  static const std::vector<float> mids = [] {
    std::vector<float> m(255);
    midpoints(dynamic_map(), 256, m.data());
    return m;
  }();
  // Number of midpoints strictly below s.
  return static_cast<uint8_t>(std::lower_bound(mids.begin(), mids.end(), s) - mids.begin());
}

}  // namespace mcs::quant
