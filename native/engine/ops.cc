#include "engine/ops.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace mcs::engine {

void rms_norm(const float* x, int64_t T, int64_t d, const float* w, double eps, float* y) {
  for (int64_t t = 0; t < T; ++t) {
    const float* xt = x + t * d;
    double ss = 0;
    for (int64_t i = 0; i < d; ++i) ss += double(xt[i]) * double(xt[i]);
    const float scale = float(1.0 / std::sqrt(ss / double(d) + eps));
    for (int64_t i = 0; i < d; ++i) y[t * d + i] = xt[i] * scale * w[i];
  }
}

void layer_norm(const float* x, int64_t T, int64_t d, const float* w, const float* b, double eps, float* y) {
  for (int64_t t = 0; t < T; ++t) {
    const float* xt = x + t * d;
    double s = 0;
    for (int64_t i = 0; i < d; ++i) s += xt[i];
    const double mean = s / double(d);
    double v = 0;
    for (int64_t i = 0; i < d; ++i) v += (xt[i] - mean) * (xt[i] - mean);
    const double inv = 1.0 / std::sqrt(v / double(d) + eps);
    for (int64_t i = 0; i < d; ++i) y[t * d + i] = float((xt[i] - mean) * inv) * w[i] + b[i];
  }
}

static inline float act_fn(float x, Activation act) {
  switch (act) {
    case Activation::Silu: return x / (1.0f + std::exp(-x));
    case Activation::GeluTanh: {
      const float c = 0.7978845608028654f;  // sqrt(2/π)
      return 0.5f * x * (1.0f + std::tanh(c * (x + 0.044715f * x * x * x)));
    }
    case Activation::GeluErf: return 0.5f * x * (1.0f + std::erf(x * 0.7071067811865476f));
  }
  return x;
}

void gated_activation(float* gate, const float* up, int64_t n, Activation act) {
  for (int64_t i = 0; i < n; ++i) gate[i] = act_fn(gate[i], act) * up[i];
}

void activation(float* x, int64_t n, Activation act) {
  for (int64_t i = 0; i < n; ++i) x[i] = act_fn(x[i], act);
}

Rope::Rope(const RopeConfig& cfg, int64_t head_dim, const std::vector<float>* freq_factors)
    : cfg_(cfg), head_dim_(head_dim), half_(head_dim / 2) {
  if (head_dim % 2 != 0) fail("rotary embeddings need an even head dimension, got " + std::to_string(head_dim));
  if (freq_factors && int64_t(freq_factors->size()) != half_)
    fail("rope_freqs.weight has " + std::to_string(freq_factors->size()) + " factors, expected " + std::to_string(half_));
  inv_freq_.resize(size_t(half_));
  for (int64_t i = 0; i < half_; ++i) {
    double f = 1.0 / std::pow(cfg.theta, double(2 * i) / double(head_dim));
    if (freq_factors) {
      const float d = (*freq_factors)[size_t(i)];
      if (!(d > 0) || !std::isfinite(d)) fail("rope_freqs.weight[" + std::to_string(i) + "] is not a positive number");
      f /= double(d);
    } else if (cfg.scaling == RopeScaling::Linear) {
      f /= cfg.factor;
    } else if (cfg.scaling == RopeScaling::Llama3) {
      // Llama 3.1: long wavelengths slowed by `factor`, short ones kept, a smooth blend between.
      const double low_wavelen = cfg.original_max_positions / cfg.low_freq_factor;
      const double high_wavelen = cfg.original_max_positions / cfg.high_freq_factor;
      const double wavelen = 2.0 * M_PI / f;
      if (wavelen > low_wavelen) {
        f /= cfg.factor;
      } else if (wavelen >= high_wavelen) {
        const double smooth = (cfg.original_max_positions / wavelen - cfg.low_freq_factor) /
                              (cfg.high_freq_factor - cfg.low_freq_factor);
        f = (1.0 - smooth) * f / cfg.factor + smooth * f;
      }
    }
    inv_freq_[size_t(i)] = f;
  }
}

void Rope::tables(int64_t first, int64_t count, std::vector<float>& cos, std::vector<float>& sin) const {
  cos.resize(size_t(count * half_));
  sin.resize(size_t(count * half_));
  for (int64_t p = 0; p < count; ++p)
    for (int64_t i = 0; i < half_; ++i) {
      const double a = double(first + p) * inv_freq_[size_t(i)];
      cos[size_t(p * half_ + i)] = float(std::cos(a));
      sin[size_t(p * half_ + i)] = float(std::sin(a));
    }
}

void Rope::apply(float* x, int64_t heads, const float* cos, const float* sin) const {
  for (int64_t h = 0; h < heads; ++h) {
    float* v = x + h * head_dim_;
    for (int64_t i = 0; i < half_; ++i) {
      // Half layout pairs (i, i + d/2); interleaved pairs (2i, 2i + 1).
      const int64_t a = cfg_.layout == RopeLayout::Half ? i : 2 * i;
      const int64_t b = cfg_.layout == RopeLayout::Half ? i + half_ : 2 * i + 1;
      const float x0 = v[a], x1 = v[b];
      v[a] = x0 * cos[i] - x1 * sin[i];
      v[b] = x1 * cos[i] + x0 * sin[i];
    }
  }
}

void softmax(float* x, int64_t n) {
  float m = -INFINITY;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, x[i]);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - m);
    s += x[i];
  }
  const float inv = float(1.0 / s);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

}  // namespace mcs::engine
