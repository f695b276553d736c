#include "convert/cast.h"

#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/fp16.h"
#include "cpu/cpu_features.h"
#include "cpu/thread_pool.h"

namespace mcs::convert {

namespace avx2 {
void f32_to_f16_row(const float* x, int64_t n, uint16_t* out);
void f32_to_bf16_row(const float* x, int64_t n, uint16_t* out);
}  // namespace avx2

void f32_to_f16_row_ref(const float* x, int64_t n, uint16_t* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = f32_to_f16(x[i]);
}

void f32_to_bf16_row_ref(const float* x, int64_t n, uint16_t* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = f32_to_bf16(x[i]);
}

static void check_target(const TensorView& t, DType to) {
  t.validate();
  MCS_CHECK(to == DType::F32 || to == DType::F16 || to == DType::BF16, "cast: target must be F32, F16 or BF16");
}

// Converts a run of floats to the target type at element offset `at` of `out`.
static void store(const float* x, int64_t n, DType to, uint8_t* out, int64_t at, bool fast) {
  switch (to) {
    case DType::F32: std::memcpy(out + at * 4, x, static_cast<size_t>(n) * 4); break;
    case DType::F16: {
      auto* o = reinterpret_cast<uint16_t*>(out + at * 2);
      fast ? avx2::f32_to_f16_row(x, n, o) : f32_to_f16_row_ref(x, n, o);
      break;
    }
    default: {
      auto* o = reinterpret_cast<uint16_t*>(out + at * 2);
      fast ? avx2::f32_to_bf16_row(x, n, o) : f32_to_bf16_row_ref(x, n, o);
      break;
    }
  }
}

// Work in chunks that start on block boundaries so block inputs convert whole.
static int64_t chunk_elements(const TensorView& t) {
  const int64_t block = dtype_info(t.dtype).block;
  return ((int64_t(1) << 16) / block + 1) * block;
}

void cast(const TensorView& t, DType to, uint8_t* out, const JobContext& ctx) {
  check_target(t, to);
  const bool fast = cpu::use_avx2();
  const int64_t n = t.numel(), chunk = chunk_elements(t);
  const size_t chunks = static_cast<size_t>((n + chunk - 1) / chunk);
  cpu::parallel_for(chunks, 1, [&](size_t lo, size_t hi) {
    std::vector<float> buf(static_cast<size_t>(chunk));
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      const int64_t begin = int64_t(c) * chunk, len = std::min(chunk, n - begin);
      to_f32(t, begin, len, buf.data());
      store(buf.data(), len, to, out, begin, fast);
    }
  });
}

void cast_ref(const TensorView& t, DType to, uint8_t* out) {
  check_target(t, to);
  const int64_t n = t.numel(), chunk = chunk_elements(t);
  std::vector<float> buf(static_cast<size_t>(chunk));
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const int64_t len = std::min(chunk, n - begin);
    to_f32_ref(t, begin, len, buf.data());
    store(buf.data(), len, to, out, begin, false);
  }
}

}  // namespace mcs::convert
