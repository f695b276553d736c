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

namespace {
BlockDecoder g_blocks_fast = nullptr;
BlockDecoder g_blocks_ref = nullptr;

BlockDecoder block_decoder(bool reference, DType type) {
  BlockDecoder d = reference ? g_blocks_ref : g_blocks_fast;
  if (!d) fail(std::string("no decoder is registered for ") + dtype_info(type).name + " blocks");
  return d;
}
}  // namespace

void register_block_decoders(BlockDecoder fast, BlockDecoder reference) {
  g_blocks_fast = fast;
  g_blocks_ref = reference;
}

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
  const DTypeInfo& info = dtype_info(dtype);
  // GGML block types: every row is a whole number of blocks (as in ggml).
  if (info.block > 1 && cols() % info.block != 0)
    fail(who + ": rows of " + std::to_string(cols()) + " elements are not a multiple of the " + info.name +
         " block of " + std::to_string(info.block));
  const uint64_t blocks = static_cast<uint64_t>(n / info.block);
  if (blocks > UINT64_MAX / info.size) fail(who + ": shape overflows");
  const uint64_t want = blocks * info.size;
  if (want != nbytes)
    fail(who + ": shape needs " + std::to_string(want) + " bytes of " + info.name + " but " +
         std::to_string(nbytes) + " bytes were given");
}

// Start of element `start`; block types need ranges on block boundaries.
static const uint8_t* range_start(const TensorView& t, int64_t start, int64_t n) {
  const DTypeInfo& info = dtype_info(t.dtype);
  if (info.block > 1 && (start % info.block != 0 || n % info.block != 0))
    fail((t.name.empty() ? std::string("tensor") : "tensor '" + t.name + "'") + ": " + info.name + " elements " +
         std::to_string(start) + ".." + std::to_string(start + n) + " do not start and end on blocks of " +
         std::to_string(info.block));
  return t.data + static_cast<uint64_t>(start / info.block) * info.size;
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
  const uint8_t* p = range_start(t, start, n);
  if (is_block_type(t.dtype)) return block_decoder(true, t.dtype)(t.dtype, p, n / dtype_info(t.dtype).block, out);
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
    default: fail(std::string("no conversion from ") + dtype_info(t.dtype).name);
  }
}

void to_f32(const TensorView& t, int64_t start, int64_t n, float* out) {
  if (is_block_type(t.dtype)) {
    const uint8_t* p = range_start(t, start, n);
    return block_decoder(false, t.dtype)(t.dtype, p, n / dtype_info(t.dtype).block, out);  // picks AVX2 itself
  }
  if (cpu::use_avx2()) {
    const uint8_t* p = range_start(t, start, n);
    if (t.dtype == DType::F16) return avx2::f16_to_f32(reinterpret_cast<const uint16_t*>(p), n, out);
    if (t.dtype == DType::BF16) return avx2::bf16_to_f32(reinterpret_cast<const uint16_t*>(p), n, out);
  }
  to_f32_ref(t, start, n, out);
}

}  // namespace mcs
