// "gguf_k": k-quant and IQ4 weights (Q2_K…Q6_K, IQ4_XS, IQ4_NL) read in place,
// activations quantized per call to Q8_K (Q8_0 for IQ4_NL) as llama.cpp does,
// integer dot products per super-block (kquant_dot.h).
#include <algorithm>
#include <vector>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "engine/linear.h"
#include "engine/qlinear/companions.h"
#include "engine/qlinear/kquant_dot.h"
#include "engine/qlinear/q8_act.h"
#include "engine/weight_rows.h"

namespace mcs::engine::qlinear {
namespace {

class KQuantLinear final : public Linear {
 public:
  KQuantLinear(const LinearSpec& spec, const LinearOptions& opt, int64_t in, int64_t out)
      : Linear(in, out), w_(spec.weight), bias_(bias_f32(spec, out)), reference_(opt.reference) {}

  void forward(const float* x, int64_t T, float* y) const override {
    const int64_t K = in_features(), N = out_features();
    Q8Act a0;
    Q8KAct ak;
    const size_t tgrain = size_t(std::max<int64_t>(1, 4096 / K));
    if (kquant_uses_q8_0(w_.dtype)) {
      a0.resize(T, K, false);
      cpu::parallel_for(size_t(T), tgrain, [&](size_t b, size_t e) {
        if (reference_) quantize_q8_ref(x, a0, int64_t(b), int64_t(e));
        else quantize_q8(x, a0, int64_t(b), int64_t(e));
      });
    } else {
      ak.resize(T, K);
      cpu::parallel_for(size_t(T), tgrain, [&](size_t b, size_t e) { quantize_q8k(x, ak, int64_t(b), int64_t(e), reference_); });
    }
    const KQuantCall call{w_.dtype, w_.data, int64_t(w_.nbytes / uint64_t(N)), &ak, &a0, y, N};
    const size_t grain = size_t(std::max<int64_t>(4, 65536 / std::max<int64_t>(K * T, 1)) / 4 * 4);
    cpu::parallel_for(size_t(N), grain, [&](size_t b, size_t e) {
      if (reference_) kquant_rows_ref(call, int64_t(b), int64_t(e));
      else kquant_rows(call, int64_t(b), int64_t(e));
    });
    add_bias(bias_, T, y);
  }

  std::string method() const override { return "gguf_k"; }
  std::string format() const override {
    return std::string(dtype_info(w_.dtype).name) + " × " + (kquant_uses_q8_0(w_.dtype) ? "Q8_0" : "Q8_K") + " activations";
  }
  uint64_t weight_bytes() const override { return w_.nbytes; }

 private:
  TensorView w_;
  std::vector<float> bias_;
  bool reference_;
};

bool accepts(const LinearSpec& spec) { return spec.weight.data != nullptr && kquant_dot_type(spec.weight.dtype); }

std::unique_ptr<Linear> create(const LinearSpec& spec, const LinearOptions& opt) {
  if (!kquant_dot_type(spec.weight.dtype))
    fail("linear layer '" + spec.name + "': the gguf_k kernel runs Q2_K…Q6_K, IQ4_NL and IQ4_XS weights, not " +
         dtype_info(spec.weight.dtype).name);
  if (spec.in_out) fail("linear layer '" + spec.name + "': a [in, out] weight cannot be of block type " + dtype_info(spec.weight.dtype).name);
  refuse_unknown_roles(spec, {}, "GGUF block");
  int64_t in = 0, out = 0;
  check_linear_shapes(spec, in, out);
  TensorView v = spec.weight;
  if (v.name.empty()) v.name = spec.name + ".weight";
  v.validate();  // rows are whole super-blocks and the byte count matches
  return std::make_unique<KQuantLinear>(spec, opt, in, out);
}

LinearRegistration registration({"gguf_k", accepts, create, 50});

}  // namespace
}  // namespace mcs::engine::qlinear
