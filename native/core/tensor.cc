#include "core/tensor.h"

#include <cstring>

#include "core/error.h"
#include "core/fp16.h"
#include "cpu/cpu_features.h"

namespace mcs {

namespace avx2 {
void f16_to_f32(const uint16_t* in, int64_t n, float* out);
void bf16_to_f32(const uint16_t* in, int64_t n, float* out);
}  // namespace avx2

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void TensorView::validate() const {
  const std::string who = name.empty() ? std::string("tensor") : "tensor '" + name + "'";
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) fail(who + ": negative dimension");
    if (d != 0 && n > INT64_MAX / d) fail(who + ": shape overflows");
    n *= d;
  }
  const uint64_t want = static_cast<uint64_t>(n) * dtype_info(dtype).size;
  if (want != nbytes)
    fail(who + ": shape needs " + std::to_string(want) + " bytes of " + dtype_info(dtype).name + " but " +
         std::to_string(nbytes) + " bytes were given");
}

template <typename T>
static void ints_to_f32(const uint8_t* p, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    out[i] = static_cast<float>(v);
  }
}

void to_f32_ref(const TensorView& t, int64_t start, int64_t n, float* out) {
  const size_t es = dtype_info(t.dtype).size;
  const uint8_t* p = t.data + static_cast<uint64_t>(start) * es;
  switch (t.dtype) {
    case DType::F32: std::memcpy(out, p, static_cast<size_t>(n) * 4); return;
    case DType::F16:
      for (int64_t i = 0; i < n; ++i) { uint16_t h; std::memcpy(&h, p + 2 * i, 2); out[i] = f16_to_f32(h); }
      return;
    case DType::BF16:
      for (int64_t i = 0; i < n; ++i) { uint16_t h; std::memcpy(&h, p + 2 * i, 2); out[i] = bf16_to_f32(h); }
      return;
    case DType::F64: ints_to_f32<double>(p, n, out); return;
    case DType::I8: ints_to_f32<int8_t>(p, n, out); return;
    case DType::U8: ints_to_f32<uint8_t>(p, n, out); return;
    case DType::I16: ints_to_f32<int16_t>(p, n, out); return;
    case DType::I32: ints_to_f32<int32_t>(p, n, out); return;
    case DType::I64: ints_to_f32<int64_t>(p, n, out); return;
  }
}

void to_f32(const TensorView& t, int64_t start, int64_t n, float* out) {
  if (cpu::use_avx2()) {
    const uint8_t* p = t.data + static_cast<uint64_t>(start) * dtype_info(t.dtype).size;
    if (t.dtype == DType::F16) return avx2::f16_to_f32(reinterpret_cast<const uint16_t*>(p), n, out);
    if (t.dtype == DType::BF16) return avx2::bf16_to_f32(reinterpret_cast<const uint16_t*>(p), n, out);
  }
  to_f32_ref(t, start, n, out);
}

}  // namespace mcs
