// Shared by the searched quantizers' files (kquants.h is the interface).
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "quant/gguf/kquant_search.h"

namespace mcs::gguf::kq {

// One super-block of 256 values (weights qw for its columns, or null) → out.
using SuperBlockFn = void (*)(const float* x, const float* qw, const Searches& s, uint8_t* out);
// Q2_K…Q6_K, Q8_K; null for other types.
SuperBlockFn kquant_block_fn(DType type);

}  // namespace mcs::gguf::kq
