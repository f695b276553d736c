// Error metrics of any reconstruction against its original (for formats whose
// dequantized values already exist, e.g. GGUF blocks): both tensors are read
// as float32 in segments, nothing is materialized.
#pragma once
#include "core/job.h"
#include "core/tensor.h"
#include "quant/error_stats.h"

namespace mcs::quant {

// Same element count, both F32/F16/BF16; throws naming the tensors otherwise.
void check_comparable(const TensorView& original, const TensorView& reconstructed);
ErrorStats compare_tensors(const TensorView& original, const TensorView& reconstructed, const JobContext& ctx);

}  // namespace mcs::quant
