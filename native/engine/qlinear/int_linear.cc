// "pack_quantized" / "int_quantized": compressed-tensors integer weights
// (W8A16, W4A16, and 2–7 bit widths held as 4 or 8 bits) with float
// activations, per-tensor, per-channel or group-wise, symmetric or not.
// See int_layout.h for the stored layouts and int_kernels.h for the arithmetic.
#include <algorithm>
#include <vector>

#include "cpu/thread_pool.h"
#include "engine/linear.h"
#include "engine/qlinear/int_kernels.h"
#include "engine/qlinear/int_layout.h"
#include "engine/weight_rows.h"

namespace mcs::engine::qlinear {
namespace {

class IntLinear final : public Linear {
 public:
  IntLinear(IntLayout layout, const LinearSpec& spec, const LinearOptions& opt)
      : Linear(layout.w.in, layout.w.out), L_(std::move(layout)), bias_(bias_f32(spec, L_.w.out)), reference_(opt.reference) {
    // owned codes moved with the layout: point at the new home.
    if (!L_.owned.empty()) L_.w.data = L_.owned.data();
  }

  void forward(const float* x, int64_t T, float* y) const override {
    const IntWeights& w = L_.w;
    const int64_t K = w.in, N = w.out;
    std::vector<float> xsum(size_t(T * w.groups));
    group_sums(x, T, K, w.groups, w.group, xsum.data());
    const IntCall call{&w, x, T, xsum.data(), y, N};
    const size_t grain = size_t(std::max<int64_t>(4, 65536 / std::max<int64_t>(K * T, 1)) / 4 * 4);
    cpu::parallel_for(size_t(N), grain, [&](size_t b, size_t e) {
      if (reference_) int_rows_ref(call, int64_t(b), int64_t(e));
      else int_rows(call, int64_t(b), int64_t(e));
    });
    add_bias(bias_, T, y);
  }

  std::string method() const override { return L_.packed ? "pack_quantized" : "int_quantized"; }
  std::string format() const override {
    std::string f = "W" + std::to_string(L_.bits) + "A16 " + L_.granularity + (L_.symmetric ? " sym" : " asym");
    if (L_.bits != 8 && L_.bits != 4) f += L_.w.layout == CodeLayout::U4 ? " (held as 4-bit)" : " (held as 8-bit)";
    return f;
  }
  uint64_t weight_bytes() const override {
    const IntWeights& w = L_.w;
    return uint64_t(w.out * w.stride) + uint64_t(w.scale.size()) * 4 + uint64_t(w.offset.size()) * 4;
  }

 private:
  IntLayout L_;
  std::vector<float> bias_;
  bool reference_;
};

std::unique_ptr<Linear> create(const LinearSpec& spec, const LinearOptions& opt) {
  return std::make_unique<IntLinear>(read_int_layout(spec), spec, opt);
}

LinearRegistration pack_registration({"pack_quantized", is_pack_quantized, create, 50});
LinearRegistration int_registration({"int_quantized", is_int_quantized, create, 50});

}  // namespace
}  // namespace mcs::engine::qlinear
