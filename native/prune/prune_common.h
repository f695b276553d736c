// What the pruning kernels share: weights are compared by magnitude keys taken
// straight from the stored bits (|x| as an unsigned integer: bits & 0x7fffffff
// for F32, bits & 0x7fff for F16/BF16), which orders magnitudes exactly like
// the float values do, with NaN above infinity (so NaN is never pruned), and
// lets the kernels copy and zero elements without converting them. NaN has
// the largest magnitude: it is pruned last.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/error.h"
#include "core/fp16.h"
#include "core/tensor.h"

namespace mcs::prune {

struct PruneStats {
  int64_t numel = 0;
  int64_t pruned = 0;  // elements the criterion selected (zeroed)
  int64_t zeros = 0;   // zeros in the output (pre-existing ones included)
  double sparsity() const { return numel ? double(zeros) / double(numel) : 0.0; }
};

inline std::string label(const TensorView& t) { return t.name.empty() ? std::string("tensor") : "tensor '" + t.name + "'"; }

inline void check_float_tensor(const TensorView& t, const char* what) {
  t.validate();
  MCS_CHECK(t.dtype == DType::F32 || t.dtype == DType::F16 || t.dtype == DType::BF16,
            label(t) + ": " + what + " reads F32, F16 or BF16 weights, not " + dtype_info(t.dtype).name);
}

inline int elem_bytes(const TensorView& t) { return t.dtype == DType::F32 ? 4 : 2; }

// Magnitude key of element i of raw bytes with 2- or 4-byte elements.
inline uint32_t key_at(const uint8_t* p, int64_t i, int width) {
  if (width == 4) {
    uint32_t u;
    std::memcpy(&u, p + i * 4, 4);
    return u & 0x7fffffffu;
  }
  uint16_t h;
  std::memcpy(&h, p + i * 2, 2);
  return h & 0x7fffu;
}

inline void zero_at(uint8_t* p, int64_t i, int width) { std::memset(p + i * width, 0, size_t(width)); }

// A float magnitude as a key of the tensor's own dtype: the smallest key whose
// value is ≥ the magnitude, and whether its value equals it (a global
// threshold taken from a BF16 tensor need not exist in an F16 one).
struct ThresholdKey {
  uint32_t key;
  bool exact;
};

inline ThresholdKey threshold_key(float magnitude, DType dt) {
  if (dt == DType::F32) {
    uint32_t u;
    std::memcpy(&u, &magnitude, 4);
    return {u & 0x7fffffffu, true};
  }
  const uint16_t h = (dt == DType::F16 ? f32_to_f16(magnitude) : f32_to_bf16(magnitude)) & 0x7fffu;
  const float back = dt == DType::F16 ? f16_to_f32(h) : bf16_to_f32(h);
  if (std::isnan(magnitude)) return {h, true};
  if (back < magnitude) return {uint32_t(h) + 1u, false};  // rounded down: the next magnitude up
  return {h, back == magnitude};
}

}  // namespace mcs::prune
