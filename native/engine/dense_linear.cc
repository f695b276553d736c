// "dense": F32/F16/BF16 weights multiplied in F32 (half types widened in
// registers, or a tile of rows at a time when many tokens share them), and
// the fallback for GGML block types no dedicated kernel claims yet (rows
// dequantized per tile, never the whole matrix).
#include <algorithm>
#include <vector>

#include "cpu/thread_pool.h"
#include "engine/linear.h"
#include "engine/matmul.h"
#include "engine/weight_rows.h"

namespace mcs::engine {
namespace {

class DenseLinear final : public Linear {
 public:
  // WeightRows keeps its transposed copy on the heap, so moving it keeps view() valid.
  DenseLinear(WeightRows w, const LinearSpec& spec, const LinearOptions& opt)
      : Linear(w.in(), w.out()), w_(std::move(w)), bias_(bias_f32(spec, w_.out())), reference_(opt.reference) {}

  void forward(const float* x, int64_t T, float* y) const override {
    const int64_t K = w_.in(), N = w_.out();
    WeightType wt = WeightType::F32;
    const bool direct = w_.direct(&wt);
    if (reference_) {
      forward_ref(x, T, y, direct, wt);
    } else {
      // Half weights shared by several tokens: widen once per tile instead of per token.
      const bool tiles = !direct || (wt != WeightType::F32 && T > 3);
      const int64_t tile = std::clamp<int64_t>(32768 / K, 4, 64);
      const size_t grain = size_t(std::max<int64_t>(1, 16384 / std::max<int64_t>(K * T, 1)));
      cpu::parallel_for(size_t(N), std::max<size_t>(grain, tiles ? size_t(tile) : 8), [&](size_t b, size_t e) {
        if (!tiles) return matmul(x, T, K, w_.view().data, wt, int64_t(b), int64_t(e), y, N);
        thread_local std::vector<float> buf;
        if (int64_t(buf.size()) < tile * K) buf.resize(size_t(tile * K));
        for (int64_t r0 = int64_t(b); r0 < int64_t(e); r0 += tile) {
          const int64_t r1 = std::min<int64_t>(int64_t(e), r0 + tile);
          w_.widen(r0, r1, buf.data());
          matmul(x, T, K, buf.data(), WeightType::F32, 0, r1 - r0, y + r0, N);
        }
      });
    }
    add_bias(bias_, T, y);
  }

  std::string method() const override { return "dense"; }
  std::string format() const override { return dtype_info(w_.dtype()).name; }
  uint64_t weight_bytes() const override { return w_.bytes(); }

 private:
  void forward_ref(const float* x, int64_t T, float* y, bool direct, WeightType wt) const {
    const int64_t K = w_.in(), N = w_.out();
    if (direct) return matmul_ref(x, T, K, w_.view().data, wt, 0, N, y, N);
    std::vector<float> row(static_cast<size_t>(K));
    for (int64_t n = 0; n < N; ++n) {
      w_.widen(n, n + 1, row.data(), true);
      for (int64_t t = 0; t < T; ++t) matmul_ref(x + t * K, 1, K, row.data(), WeightType::F32, 0, 1, y + t * N + n, 1);
    }
  }

  WeightRows w_;
  std::vector<float> bias_;
  bool reference_;
};

bool dense_accepts(const LinearSpec& spec) {
  const DType dt = spec.weight.dtype;
  return dt == DType::F32 || dt == DType::F16 || dt == DType::BF16 || dt == DType::F64 || is_block_type(dt);
}

LinearRegistration dense_registration({
    "dense",
    dense_accepts,
    [](const LinearSpec& spec, const LinearOptions& opt) -> std::unique_ptr<Linear> {
      return std::make_unique<DenseLinear>(WeightRows(spec), spec, opt);
    },
    // Lowest priority: for GGML block types a dedicated kernel registered later wins.
    -100,
});

}  // namespace
}  // namespace mcs::engine
