// Plain reference for NF4/FP4: whole tensor in memory, one block after the
// other, codes by counting thresholds, nibbles written one at a time.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "quant/bnb4.h"
#include "quant/range.h"

namespace mcs::quant {
namespace {

uint8_t nearest_dynamic(float s) {
  const float* map = dynamic_map();
  int k = 0;
  for (int j = 0; j < 255; ++j) k += s > (map[j] + map[j + 1]) / 2.0f;
  return static_cast<uint8_t>(k);
}

float clamp1(float v) { return std::min(std::max(v, -1.0f), 1.0f); }

}  // namespace

ErrorStats quantize_bnb4_ref(const TensorView& t, const Bnb4Spec& spec, const Bnb4Outputs& out) {
  t.validate();
  const Bnb4Layout l = bnb4_layout(t, spec);
  std::vector<float> x(static_cast<size_t>(l.numel));
  to_f32_ref(t, 0, l.numel, x.data());
  for (int64_t i = 0; i < l.numel; ++i)
    if (!std::isfinite(x[i])) fail_nonfinite(t, i);
  const int64_t bs = spec.blocksize;
  std::vector<float> absmax(static_cast<size_t>(l.blocks), 0.0f), recon(absmax.size());
  for (int64_t i = 0; i < l.numel; ++i) absmax[i / bs] = std::max(absmax[i / bs], std::fabs(x[i]));
  if (spec.double_quant) {
    double sum = 0;
    for (float a : absmax) sum += a;
    const float offset = l.blocks ? float(sum / double(l.blocks)) : 0.0f;
    *out.offset = offset;
    for (int64_t nb = 0; nb < l.nested_blocks; ++nb) {
      float a2 = 0;
      for (int64_t b = nb * kBnbNestedBlock; b < std::min(l.blocks, (nb + 1) * kBnbNestedBlock); ++b)
        a2 = std::max(a2, std::fabs(absmax[b] - offset));
      out.nested_absmax[nb] = a2;
    }
    for (int64_t b = 0; b < l.blocks; ++b) {
      const float a2 = out.nested_absmax[b / kBnbNestedBlock];
      out.absmax_codes[b] = nearest_dynamic(clamp1((absmax[b] - offset) * (1.0f / std::max(a2, 1e-38f))));
      const float scaled = dynamic_map()[out.absmax_codes[b]] * a2;
      recon[b] = scaled + offset;
    }
  } else {
    for (int64_t b = 0; b < l.blocks; ++b) out.absmax[b] = recon[b] = absmax[b];
  }
  const Bnb4Codebook& cb = bnb4_codebook(spec.type);
  ErrorStats err;
  std::fill(out.packed, out.packed + l.packed_bytes, uint8_t(0));
  for (int64_t i = 0; i < l.numel + (l.numel & 1); ++i) {
    const int64_t b = std::min(i, l.numel - 1) / bs;
    const float v = i < l.numel ? x[i] : 0.0f;
    const uint8_t c = bnb4_code(clamp1(v * (1.0f / std::max(absmax[b], 1e-38f))), spec.type, cb);
    out.packed[i / 2] |= (i & 1) ? c : uint8_t(c << 4);
    if (i >= l.numel) break;
    const float e = v - cb.value[c] * recon[b];
    err.count += 1;
    err.sum_sq += double(v) * double(v);
    err.sse += double(e) * double(e);
    err.max_abs = std::max(err.max_abs, std::fabs(e));
  }
  return err;
}

void dequantize_bnb4_ref(const uint8_t* packed, const float* absmax, int64_t numel, const Bnb4Spec& spec, float* out) {
  const Bnb4Codebook& cb = bnb4_codebook(spec.type);
  for (int64_t i = 0; i < numel; ++i) {
    const uint8_t c = (i & 1) ? (packed[i / 2] & 0xf) : (packed[i / 2] >> 4);
    out[i] = cb.value[c] * absmax[i / spec.blocksize];
  }
}

}  // namespace mcs::quant
