#include "engine/qlinear/int_kernels.h"

#include "cpu/cpu_features.h"

namespace mcs::engine::qlinear {

void group_sums(const float* x, int64_t T, int64_t K, int64_t groups, int64_t group, float* out) {
  for (int64_t t = 0; t < T; ++t)
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t k0 = g * group, k1 = groups == 1 ? K : k0 + group;
      float s = 0.0f;
      for (int64_t k = k0; k < k1; ++k) s += x[t * K + k];
      out[t * groups + g] = s;
    }
}

void int_rows_ref(const IntCall& c, int64_t n0, int64_t n1) {
  const IntWeights& w = *c.w;
  const int64_t K = w.in;
  for (int64_t t = 0; t < c.T; ++t)
    for (int64_t n = n0; n < n1; ++n) {
      double s = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const int64_t g = w.groups == 1 ? 0 : k / w.group;
        const float wk = (w.value(n, k) - w.off(n, g)) * w.scale[size_t(n * w.groups + g)];
        s += double(wk) * double(c.x[t * K + k]);
      }
      c.y[t * c.ldy + n] = float(s);
    }
}

void int_rows_portable(const IntCall& c, int64_t n0, int64_t n1) {
  const IntWeights& w = *c.w;
  const int64_t K = w.in;
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t t = 0; t < c.T; ++t) {
      const float* x = c.x + t * K;
      float total = 0.0f, corr = 0.0f;
      for (int64_t g = 0; g < w.groups; ++g) {
        const int64_t k0 = g * w.group, k1 = w.groups == 1 ? K : k0 + w.group;
        float a = 0.0f;
        for (int64_t k = k0; k < k1; ++k) a += w.value(n, k) * x[k];
        const float s = w.scale[size_t(n * w.groups + g)];
        total += s * a;
        corr += s * w.off(n, g) * c.xsum[t * w.groups + g];
      }
      c.y[t * c.ldy + n] = total - corr;
    }
}

void int_rows(const IntCall& c, int64_t n0, int64_t n1) {
  if (cpu::use_avx2() && c.w->chunked()) return avx2::int_rows(c, n0, n1);
  int_rows_portable(c, n0, n1);
}

}  // namespace mcs::engine::qlinear
