// "gguf": GGML block weights Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 read in place, with
// the activations quantized to Q8_0/Q8_1 blocks per call as llama.cpp does
// (q8_act.h, gguf_dot.h). Other block types (k-quants) stay with "dense".
#include <algorithm>
#include <vector>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "engine/linear.h"
#include "engine/qlinear/companions.h"
#include "engine/qlinear/gguf_dot.h"
#include "engine/qlinear/q8_act.h"
#include "engine/weight_rows.h"

namespace mcs::engine::qlinear {
namespace {

class GgufLinear final : public Linear {
 public:
  GgufLinear(const LinearSpec& spec, const LinearOptions& opt, int64_t in, int64_t out)
      : Linear(in, out), w_(spec.weight), bias_(bias_f32(spec, out)), reference_(opt.reference) {}

  void forward(const float* x, int64_t T, float* y) const override {
    const int64_t K = in_features(), N = out_features();
    Q8Act a;
    a.resize(T, K, gguf_needs_sums(w_.dtype));
    cpu::parallel_for(size_t(T), size_t(std::max<int64_t>(1, 4096 / K)), [&](size_t b, size_t e) {
      if (reference_) quantize_q8_ref(x, a, int64_t(b), int64_t(e));
      else quantize_q8(x, a, int64_t(b), int64_t(e));
    });
    const GgufCall call{w_.dtype, w_.data, int64_t(w_.nbytes / uint64_t(N)), &a, y, N};
    const size_t grain = size_t(std::max<int64_t>(4, 65536 / std::max<int64_t>(K * T, 1)) / 4 * 4);
    cpu::parallel_for(size_t(N), grain, [&](size_t b, size_t e) {
      if (reference_) gguf_rows_ref(call, int64_t(b), int64_t(e));
      else gguf_rows(call, int64_t(b), int64_t(e));
    });
    add_bias(bias_, T, y);
  }

  std::string method() const override { return "gguf"; }
  std::string format() const override {
    return std::string(dtype_info(w_.dtype).name) + " × " + (gguf_needs_sums(w_.dtype) ? "Q8_1" : "Q8_0") + " activations";
  }
  uint64_t weight_bytes() const override { return w_.nbytes; }

 private:
  TensorView w_;
  std::vector<float> bias_;
  bool reference_;
};

bool accepts(const LinearSpec& spec) { return spec.weight.data != nullptr && gguf_dot_type(spec.weight.dtype); }

std::unique_ptr<Linear> create(const LinearSpec& spec, const LinearOptions& opt) {
  if (!gguf_dot_type(spec.weight.dtype))
    fail("linear layer '" + spec.name + "': the gguf kernel runs Q8_0, Q4_0, Q4_1, Q5_0 and Q5_1 weights, not " + dtype_info(spec.weight.dtype).name);
  if (spec.in_out) fail("linear layer '" + spec.name + "': a [in, out] weight cannot be of block type " + dtype_info(spec.weight.dtype).name);
  refuse_unknown_roles(spec, {}, "GGUF block");
  int64_t in = 0, out = 0;
  check_linear_shapes(spec, in, out);
  TensorView v = spec.weight;
  if (v.name.empty()) v.name = spec.name + ".weight";
  v.validate();  // rows are whole blocks and the byte count matches
  return std::make_unique<GgufLinear>(spec, opt, in, out);
}

LinearRegistration registration({"gguf", accepts, create, 50});

}  // namespace
}  // namespace mcs::engine::qlinear
