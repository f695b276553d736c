// A linear weight as rows [out][in], whatever its stored type: F32/F16/BF16
// are read in place by the matmul kernels; other types to_f32 reads (GGML
// blocks, F64) are widened a tile of rows at a time, never the whole matrix.
// GPT-2's Conv1D weights ([in, out]) are transposed once into an owned copy of
// the same type.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "engine/linear.h"
#include "engine/matmul.h"

namespace mcs::engine {

class WeightRows {
 public:
  explicit WeightRows(const LinearSpec& spec);
  // Movable (the owned copy stays where it is on the heap), not copyable.
  WeightRows(WeightRows&&) = default;
  WeightRows(const WeightRows&) = delete;
  WeightRows& operator=(const WeightRows&) = delete;

  int64_t in() const { return in_; }
  int64_t out() const { return out_; }
  DType dtype() const { return view_.dtype; }
  const TensorView& view() const { return view_; }
  // True (and the type) when the matmul kernels read the rows in place.
  bool direct(WeightType* wt) const;
  // Rows [n0, n1) as F32 into out[(n1 - n0) * in] (exact widening).
  void widen(int64_t n0, int64_t n1, float* out, bool reference = false) const;
  // W[n, k] as F32 (outlier columns of LLM.int8()).
  float at(int64_t n, int64_t k) const;
  uint64_t bytes() const { return view_.nbytes; }

 private:
  TensorView view_;
  std::vector<uint8_t> owned_;  // transposed Conv1D weight
  int64_t in_ = 0, out_ = 0;
};

// Bias as F32 (empty when the layer has none).
std::vector<float> bias_f32(const LinearSpec& spec, int64_t out);
// y[t, :] += bias for every token.
void add_bias(const std::vector<float>& bias, int64_t T, float* y);

}  // namespace mcs::engine
