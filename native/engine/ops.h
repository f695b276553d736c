// The elementwise and per-token steps of a transformer block. They are O(T·d)
// beside the O(T·d²) linear layers, so they stay plain C++.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/config.h"

namespace mcs::engine {

// y = x / sqrt(mean(x²) + eps) · w, per token (sum in double).
void rms_norm(const float* x, int64_t T, int64_t d, const float* w, double eps, float* y);
// y = (x − mean) / sqrt(var + eps) · w + b, per token (population variance).
void layer_norm(const float* x, int64_t T, int64_t d, const float* w, const float* b, double eps, float* y);

// gate[i] = act(gate[i]) · up[i] (SwiGLU when act is SiLU).
void gated_activation(float* gate, const float* up, int64_t n, Activation act);
// x[i] = act(x[i]).
void activation(float* x, int64_t n, Activation act);

// Rotary position embedding: the inverse frequency of each rotary pair after
// rope scaling, and cos/sin tables for a run of positions.
class Rope {
 public:
  // `freq_factors` (GGUF rope_freqs.weight, head_dim/2 divisors of the
  // frequencies: llama.cpp's form of Llama 3.1 scaling) replaces cfg.scaling.
  Rope(const RopeConfig& cfg, int64_t head_dim, const std::vector<float>* freq_factors = nullptr);
  // cos/sin[(p − first)·half + i] for positions first … first + count − 1.
  void tables(int64_t first, int64_t count, std::vector<float>& cos, std::vector<float>& sin) const;
  // Rotates `heads` consecutive head vectors of one token in place.
  void apply(float* x, int64_t heads, const float* cos, const float* sin) const;
  const std::vector<double>& inv_freq() const { return inv_freq_; }

 private:
  RopeConfig cfg_;
  int64_t head_dim_, half_;
  std::vector<double> inv_freq_;
};

// In-place softmax of n scores (max subtracted, sum in double).
void softmax(float* x, int64_t n);

}  // namespace mcs::engine
