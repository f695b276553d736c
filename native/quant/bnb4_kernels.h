// Inner loops of NF4/FP4 over one block (see bnb4.h). The AVX2 version gives
// the same bytes as the portable one.
#pragma once
#include <cstdint>

#include "quant/bnb4_codes.h"
#include "quant/error_stats.h"

namespace mcs::quant {

struct Bnb4Kernels {
  // max |x|; false when any value is NaN or ±inf.
  bool (*absmax)(const float* x, int64_t n, float* out);
  // Packs the codes of x[0..n) — consecutive blocks of `blocksize` (the last
  // may be short; n is even unless it ends the tensor) — into (n + 1) / 2
  // bytes. Block b is scaled by inv[b] = 1 / max(absmax, 1e−38) and its error
  // measured against value · recon[b] (the absmax as a loader rebuilds it).
  void (*quantize)(const float* x, int64_t n, int64_t blocksize, Bnb4Type t, const float* inv, const float* recon,
                   uint8_t* packed, ErrorStats* err);
  // out[i] = value[code i] · absmax for codes starting at element 0 of `packed`.
  void (*dequantize)(const uint8_t* packed, int64_t n, Bnb4Type t, float absmax, float* out);
};

const Bnb4Kernels& bnb4_kernels();
const Bnb4Kernels& bnb4_kernels_portable();

// The reciprocal bitsandbytes multiplies by: 1 / absmax, absmax clamped to 1e−38.
inline float bnb_inverse(float absmax) { return 1.0f / (absmax < 1e-38f ? 1e-38f : absmax); }

}  // namespace mcs::quant
