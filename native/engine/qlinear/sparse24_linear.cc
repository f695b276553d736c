// "sparse24": compressed-tensors' sparse-24-bitmask weights read in place —
//   compressed  [rows, cols/2]  F32/F16/BF16, the kept weights of each row in order
//   bitmask     [rows, ceil(cols/8)] uint8, bit j of byte i ↔ column 8i + j
//   shape       int64 [2, 1] (or [2]): rows, cols
// Every group of 4 columns must keep exactly 2 (the 2:4 structure the kernel
// relies on); anything else is refused naming the tensor.
#include <algorithm>
#include <vector>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "engine/linear.h"
#include "engine/qlinear/companions.h"
#include "engine/qlinear/sparse24_kernels.h"
#include "engine/weight_rows.h"

namespace mcs::engine::qlinear {
namespace {

Sparse24 read_sparse24(const LinearSpec& spec) {
  refuse_unknown_roles(spec, {"compressed", "bitmask", "shape"}, "compressed-tensors sparse-24-bitmask");
  if (spec.weight.data) fail("linear layer '" + spec.name + "' has both a plain weight and sparse-24 companions");
  if (spec.in_out) fail("linear layer '" + spec.name + "': sparse weights stored [in, out] are not supported");
  Sparse24 w;
  const auto shape = ints_of(spec, "shape", need_role(spec, "shape", "the dense shape of the sparse weight"));
  if (shape.size() != 2 || shape[0] < 1 || shape[1] < 1 || shape[0] > (int64_t(1) << 31) || shape[1] > (int64_t(1) << 31))
    fail_file("tensor '" + role_name(spec, "shape") + "' must hold two positive dimensions");
  w.out = shape[0], w.in = shape[1];
  if (w.in % 4 != 0) fail_file("linear layer '" + spec.name + "': " + std::to_string(w.in) + " columns are not groups of 4 (2:4 sparsity)");
  TensorView v = need_role(spec, "compressed", "the kept weights");
  expect_dtype(spec, "compressed", v, {DType::F32, DType::F16, DType::BF16});
  expect_shape(spec, "compressed", v, {w.out, w.in / 2});
  if (v.name.empty()) v.name = role_name(spec, "compressed");
  v.validate();
  TensorView m = need_role(spec, "bitmask", "where the kept weights sit");
  expect_dtype(spec, "bitmask", m, {DType::U8});
  w.mask_stride = (w.in + 7) / 8;
  expect_shape(spec, "bitmask", m, {w.out, w.mask_stride});
  if (m.name.empty()) m.name = role_name(spec, "bitmask");
  m.validate();
  // Exactly two kept in every group of four, nothing past the last column.
  for (int64_t n = 0; n < w.out; ++n)
    for (int64_t i = 0; i < w.mask_stride; ++i) {
      const uint8_t b = m.data[n * w.mask_stride + i];
      const bool high_used = 8 * i + 4 < w.in;
      if (__builtin_popcount(b & 15) != 2 || (high_used ? __builtin_popcount(b >> 4) != 2 : (b >> 4) != 0))
        fail_file("tensor '" + role_name(spec, "bitmask") + "': row " + std::to_string(n) + ", columns " + std::to_string(8 * i) + "…" +
                  std::to_string(std::min(w.in, 8 * i + 8) - 1) + " do not keep exactly 2 of every 4 (not a 2:4 mask)");
    }
  w.values = v.data, w.mask = m.data;
  w.vtype = v.dtype == DType::F32 ? WeightType::F32 : v.dtype == DType::F16 ? WeightType::F16 : WeightType::BF16;
  return w;
}

class Sparse24Linear final : public Linear {
 public:
  Sparse24Linear(Sparse24 w, const LinearSpec& spec, const LinearOptions& opt)
      : Linear(w.in, w.out), w_(w), bias_(bias_f32(spec, w.out)), reference_(opt.reference) {}

  void forward(const float* x, int64_t T, float* y) const override {
    const int64_t K = w_.in, N = w_.out;
    const Sparse24Call call{&w_, x, T, y, N};
    const size_t grain = size_t(std::max<int64_t>(4, 65536 / std::max<int64_t>(K * T, 1)) / 4 * 4);
    cpu::parallel_for(size_t(N), grain, [&](size_t b, size_t e) {
      if (reference_) sparse24_rows_ref(call, int64_t(b), int64_t(e));
      else sparse24_rows(call, int64_t(b), int64_t(e));
    });
    add_bias(bias_, T, y);
  }

  std::string method() const override { return "sparse24"; }
  std::string format() const override {
    return std::string("2:4 sparse ") + (w_.vtype == WeightType::F32 ? "F32" : w_.vtype == WeightType::F16 ? "F16" : "BF16");
  }
  uint64_t weight_bytes() const override {
    return uint64_t(w_.out * (w_.in / 2)) * uint64_t(weight_type_size(w_.vtype)) + uint64_t(w_.out * w_.mask_stride);
  }

 private:
  Sparse24 w_;
  std::vector<float> bias_;
  bool reference_;
};

bool accepts(const LinearSpec& spec) { return find_role(spec, "compressed") && find_role(spec, "bitmask"); }

LinearRegistration registration({
    "sparse24",
    accepts,
    [](const LinearSpec& spec, const LinearOptions& opt) -> std::unique_ptr<Linear> {
      return std::make_unique<Sparse24Linear>(read_sparse24(spec), spec, opt);
    },
    50,
});

}  // namespace
}  // namespace mcs::engine::qlinear
