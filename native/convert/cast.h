// Float casts between F32, F16 and BF16 (any plain or block input through
// to_f32), for tensors kept in a float type by a recipe and for F16/F32 GGUF
// exports. Rounding is round-to-nearest-even, as numpy and torch do.
#pragma once
#include <cstdint>

#include "core/job.h"
#include "core/tensor.h"

namespace mcs::convert {

// Writes numel(t) elements of `to` (F32, F16 or BF16) into `out` (numel × size bytes).
void cast(const TensorView& t, DType to, uint8_t* out, const JobContext& ctx);
// Scalar, single-threaded reference.
void cast_ref(const TensorView& t, DType to, uint8_t* out);

void f32_to_f16_row_ref(const float* x, int64_t n, uint16_t* out);
void f32_to_bf16_row_ref(const float* x, int64_t n, uint16_t* out);

}  // namespace mcs::convert
