// "llm_int8": LLM.int8() linear layers (see llm_int8.h). Weights are quantized
// per output channel when the layer is built; the original weights stay
// mapped and are read only for the outlier columns of each call.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "engine/linear.h"
#include "engine/llm_int8.h"
#include "engine/weight_rows.h"

namespace mcs::engine {
namespace {

class LlmInt8Linear final : public Linear {
 public:
  LlmInt8Linear(WeightRows w, const LinearSpec& spec, const LinearOptions& opt)
      : Linear(w.in(), w.out()), w_(std::move(w)), bias_(bias_f32(spec, w_.out())), threshold_(opt.int8_threshold),
        reference_(opt.reference) {
    if (!(threshold_ >= 0.0f) || !std::isfinite(threshold_))
      fail("linear layer '" + spec.name + "': LLM.int8() threshold must be a finite number ≥ 0");
    const int64_t K = w_.in(), N = w_.out();
    wq_.resize(size_t(N * K));
    sw_.resize(size_t(N));
    hits_.assign(size_t(K), 0);
    const int64_t tile = std::clamp<int64_t>(65536 / K, 1, 256);
    cpu::parallel_for(size_t((N + tile - 1) / tile), 1, [&](size_t b, size_t e) {
      std::vector<float> buf(static_cast<size_t>(tile * K));
      for (size_t i = b; i < e; ++i) {
        const int64_t r0 = int64_t(i) * tile, r1 = std::min(N, r0 + tile);
        w_.widen(r0, r1, buf.data(), reference_);
        int8::quantize_rows(buf.data(), r1 - r0, K, wq_.data() + r0 * K, sw_.data() + r0);
      }
    });
  }

  void forward(const float* x, int64_t T, float* y) const override {
    const int64_t K = w_.in(), N = w_.out();
    // 1. Outlier columns: any token with |x| ≥ threshold in that input feature.
    std::vector<uint8_t> is_out(size_t(K), 0);
    std::vector<int64_t> cols;
    if (threshold_ > 0.0f) {
      for (int64_t t = 0; t < T; ++t)
        for (int64_t k = 0; k < K; ++k)
          if (std::fabs(x[t * K + k]) >= threshold_) is_out[size_t(k)] = 1;
      for (int64_t k = 0; k < K; ++k)
        if (is_out[size_t(k)]) cols.push_back(k);
    }
    // 2. The rest in int8, vector-wise.
    std::vector<int8_t> xq(static_cast<size_t>(T * K));
    std::vector<float> sx(static_cast<size_t>(T));
    int8::quantize_activations(x, T, K, is_out.data(), threshold_, xq.data(), sx.data());
    const size_t grain = size_t(std::max<int64_t>(4, 32768 / std::max<int64_t>(K * T, 1)));
    cpu::parallel_for(size_t(N), grain, [&](size_t b, size_t e) {
      if (reference_) int8::gemm_ref(xq.data(), sx.data(), T, K, wq_.data(), sw_.data(), int64_t(b), int64_t(e), y, N);
      else int8::gemm(xq.data(), sx.data(), T, K, wq_.data(), sw_.data(), int64_t(b), int64_t(e), y, N);
    });
    // 3. Outlier columns in F32 with the original weights, added in column order.
    if (!cols.empty()) add_outliers(x, T, cols, y);
    add_bias(bias_, T, y);
    record(T, cols);
  }

  std::string method() const override { return "llm_int8"; }
  std::string format() const override { return "int8 + F32 outlier columns"; }
  uint64_t weight_bytes() const override { return uint64_t(wq_.size()) + uint64_t(sw_.size()) * 4; }

  LinearStats stats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    LinearStats s = stats_;
    s.column_hits = hits_;
    return s;
  }
  void reset_stats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    stats_ = LinearStats{};
    std::fill(hits_.begin(), hits_.end(), 0);
  }

 private:
  void add_outliers(const float* x, int64_t T, const std::vector<int64_t>& cols, float* y) const {
    const int64_t K = w_.in(), N = w_.out(), m = int64_t(cols.size());
    cpu::parallel_for(size_t(N), 64, [&](size_t b, size_t e) {
      std::vector<float> wcol(static_cast<size_t>(m));
      for (int64_t n = int64_t(b); n < int64_t(e); ++n) {
        for (int64_t j = 0; j < m; ++j) wcol[size_t(j)] = w_.at(n, cols[size_t(j)]);
        for (int64_t t = 0; t < T; ++t) {
          float s = 0.0f;
          for (int64_t j = 0; j < m; ++j) s += x[t * K + cols[size_t(j)]] * wcol[size_t(j)];
          y[t * N + n] += s;
        }
      }
    });
  }

  void record(int64_t T, const std::vector<int64_t>& cols) const {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.calls += 1;
    stats_.tokens += uint64_t(T);
    stats_.outlier_columns += cols.size();
    stats_.max_outlier_columns = std::max<uint64_t>(stats_.max_outlier_columns, cols.size());
    for (int64_t k : cols) hits_[size_t(k)] += 1;
  }

  WeightRows w_;
  std::vector<float> bias_;
  float threshold_;
  bool reference_;
  std::vector<int8_t> wq_;
  std::vector<float> sw_;
  mutable std::mutex mu_;
  mutable LinearStats stats_;
  mutable std::vector<uint32_t> hits_;
};

LinearRegistration llm_int8_registration({
    "llm_int8",
    nullptr,  // chosen by name only
    [](const LinearSpec& spec, const LinearOptions& opt) -> std::unique_ptr<Linear> {
      return std::make_unique<LlmInt8Linear>(WeightRows(spec), spec, opt);
    },
    0,
});

}  // namespace
}  // namespace mcs::engine
