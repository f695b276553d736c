// A borrowed view of tensor bytes (memory map or caller buffer) with its element
// type and shape. The owner keeps the bytes alive for as long as a view is used.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace mcs {

struct TensorView {
  const uint8_t* data = nullptr;
  uint64_t nbytes = 0;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::string name;  // for error messages

  int64_t numel() const;
  // Matrix interpretation used by the kernels: the last dimension is the row
  // (input features of a linear weight), everything before it counts rows.
  int64_t cols() const { return shape.empty() ? 1 : shape.back(); }
  int64_t rows() const { return cols() == 0 ? 0 : numel() / cols(); }
  // Throws unless every dim is >= 0 and nbytes == numel * element size (for
  // GGML block types: rows are whole blocks and nbytes == blocks * block bytes).
  void validate() const;
};

// Converts `n` elements starting at element `start` to float (F32/F16/BF16, the
// integer types, and the GGML block types, whose ranges must start and end on
// block boundaries). Uses F16C/AVX2 when present; `_ref` is the scalar version.
void to_f32(const TensorView& t, int64_t start, int64_t n, float* out);
void to_f32_ref(const TensorView& t, int64_t start, int64_t n, float* out);

// GGML block types are decoded by the module that owns their formats
// (quant/gguf registers itself at start-up), so core needs nothing above it.
// `fast` may use SIMD; `reference` is the plain scalar decoder.
using BlockDecoder = void (*)(DType type, const uint8_t* in, int64_t nblocks, float* out);
void register_block_decoders(BlockDecoder fast, BlockDecoder reference);

}  // namespace mcs
