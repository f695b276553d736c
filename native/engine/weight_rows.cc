#include "engine/weight_rows.h"

#include <cstring>

#include "core/error.h"
#include "cpu/thread_pool.h"

namespace mcs::engine {

static bool widenable(DType dt) {
  return dt == DType::F32 || dt == DType::F16 || dt == DType::BF16 || dt == DType::F64 || is_block_type(dt);
}

WeightRows::WeightRows(const LinearSpec& spec) : view_(spec.weight) {
  check_linear_shapes(spec, in_, out_);
  if (!widenable(view_.dtype))
    fail("linear layer '" + spec.name + "': weight type " + dtype_info(view_.dtype).name + " is not a float or GGML block type");
  if (view_.name.empty()) view_.name = spec.name + ".weight";
  if (!spec.in_out) return;
  if (is_block_type(view_.dtype))
    fail("linear layer '" + spec.name + "': a [in, out] weight cannot be of block type " + dtype_info(view_.dtype).name);
  // Conv1D [in, out] → [out, in], same element type.
  const size_t es = dtype_info(view_.dtype).size;
  owned_.resize(size_t(in_ * out_) * es);
  const uint8_t* src = view_.data;
  uint8_t* dst = owned_.data();
  const int64_t in = in_, out = out_;
  cpu::parallel_for(size_t(out), 64, [&](size_t b, size_t e) {
    for (int64_t n = int64_t(b); n < int64_t(e); ++n)
      for (int64_t k = 0; k < in; ++k) std::memcpy(dst + size_t(n * in + k) * es, src + size_t(k * out + n) * es, es);
  });
  view_.data = owned_.data();
  view_.shape = {out_, in_};
}

bool WeightRows::direct(WeightType* wt) const {
  switch (view_.dtype) {
    case DType::F32:
      if (reinterpret_cast<uintptr_t>(view_.data) % alignof(float) != 0) return false;
      *wt = WeightType::F32;
      return true;
    case DType::F16: *wt = WeightType::F16; return true;
    case DType::BF16: *wt = WeightType::BF16; return true;
    default: return false;
  }
}

void WeightRows::widen(int64_t n0, int64_t n1, float* out, bool reference) const {
  WeightType wt;
  if (!reference && direct(&wt)) return widen_rows(view_.data, wt, in_, n0, n1, out);
  if (reference) return to_f32_ref(view_, n0 * in_, (n1 - n0) * in_, out);
  to_f32(view_, n0 * in_, (n1 - n0) * in_, out);
}

float WeightRows::at(int64_t n, int64_t k) const {
  const int64_t block = dtype_info(view_.dtype).block;
  const int64_t i = n * in_ + k;
  if (block == 1) {
    float v;
    to_f32_ref(view_, i, 1, &v);
    return v;
  }
  float buf[256];
  const int64_t start = i - i % block;
  to_f32(view_, start, block, buf);
  return buf[i - start];
}

std::vector<float> bias_f32(const LinearSpec& spec, int64_t out) {
  std::vector<float> b;
  if (!spec.bias) return b;
  if (!widenable(spec.bias->dtype) || is_block_type(spec.bias->dtype))
    fail("linear layer '" + spec.name + "': bias type " + dtype_info(spec.bias->dtype).name + " is not a float type");
  b.resize(size_t(out));
  to_f32(*spec.bias, 0, out, b.data());
  return b;
}

void add_bias(const std::vector<float>& bias, int64_t T, float* y) {
  if (bias.empty()) return;
  const int64_t n = int64_t(bias.size());
  for (int64_t t = 0; t < T; ++t)
    for (int64_t i = 0; i < n; ++i) y[t * n + i] += bias[size_t(i)];
}

}  // namespace mcs::engine
