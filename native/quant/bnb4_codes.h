// bitsandbytes' 4-bit code books and 8-bit dynamic map, and how a scaled value
// in [−1, 1] picks its code — the rules of bitsandbytes' CUDA kernels
// (csrc/kernels.cu: dQuantizeNF4, dQuantizeFP4) and of its default backend
// (bucketize over midpoints): a value exactly on a midpoint takes the lower
// code.
#pragma once
#include <cmath>
#include <cstdint>

namespace mcs::quant {

enum class Bnb4Type { NF4, FP4 };

struct Bnb4Codebook {
  float value[16];      // dequantized value of each 4-bit code (bitsandbytes' quant_map)
  float threshold[15];  // NF4: midpoints of the sorted code values (15 used);
                        // FP4: midpoints of the 8 magnitudes (7 used)
};

const Bnb4Codebook& bnb4_codebook(Bnb4Type t);

// FP4 magnitude codes in increasing order of value: 0, 0.0625, 2, 3, 4, 6, 8, 12 (/12).
constexpr uint8_t kFp4MagnitudeCode[8] = {0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011};

// Scaled value s = clamp(x / absmax, −1, 1) → 4-bit code.
inline uint8_t bnb4_code(float s, Bnb4Type t, const Bnb4Codebook& cb) {
  int k = 0;
  if (t == Bnb4Type::NF4) {
    for (int j = 0; j < 15; ++j) k += s > cb.threshold[j];
    return static_cast<uint8_t>(k);  // NF4 codes are the sorted order
  }
  const float a = std::fabs(s);
  for (int j = 0; j < 7; ++j) k += a > cb.threshold[j];
  return static_cast<uint8_t>((s < 0 ? 8 : 0) | kFp4MagnitudeCode[k]);
}

// bitsandbytes' create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8):
// 256 sorted values in [−1, 1] used to quantize the absmax values (double quant).
const float* dynamic_map();
// Index in the sorted map of the value nearest s (ties to the lower index, as bucketize).
uint8_t dynamic_code(float s);

}  // namespace mcs::quant
