// Quantizers of the types whose codes come from a scale search (kquant_search.h):
// the k-quants Q2_K…Q6_K and Q8_K, IQ4_NL and IQ4_XS, and the legacy Q4_0,
// Q4_1, Q5_0, Q5_1 when importance weights are given. They give the bytes of
// ggml's functions — which ones, per type and per case, is what llama-quantize
// calls through ggml_quantize_chunk:
//   no weights:   Q2_K…Q6_K → quantize_row_<t>_ref; IQ4_XS → quantize_iq4_xs(…, NULL)
//                 (= its _ref); IQ4_NL → quantize_iq4_nl(…, NULL), which sweeps
//                 ±7 scales, unlike quantize_row_iq4_nl_ref (`iq4_nl_row_ref`);
//                 Q8_K → quantize_row_q8_K_ref (activations, not a file type).
//   weights:      quantize_row_<t>_impl with the weights (quantize_<t>(…, imatrix)).
// Q8_0 ignores weights in ggml, so the plain path serves it.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "quant/gguf/kquant_search.h"

namespace mcs::gguf::kq {

// Whether `type` is quantized here without / with importance weights.
bool searched_type(DType type);   // Q2_K…Q6_K, Q8_K, IQ4_NL, IQ4_XS
bool weighted_type(DType type);   // the above but Q8_K, and Q4_0, Q4_1, Q5_0, Q5_1

struct RowOptions {
  const float* qw = nullptr;    // importance weights of this row's columns, or null
  bool iq4_nl_row_ref = false;  // IQ4_NL as quantize_row_iq4_nl_ref (no weights)
};

// One row of n finite values (n a multiple of the type's block) into its
// blocks at `out`. Legacy types with weights need the whole row (their weights
// depend on the row's mean square); the others may be given any run of whole
// blocks, with qw pointing at the run's first column.
void quantize_row(DType type, const float* x, int64_t n, const RowOptions& opt, const Searches& s, uint8_t* out);

// Whether the scales written into `nblocks` blocks of `type` are finite — what
// llama-quantize checks after quantizing (ggml_validate_row_data). All-zero
// importance weights over a block give a 0/0 scale there and here.
bool scales_finite(DType type, const uint8_t* blocks, int64_t nblocks);

}  // namespace mcs::gguf::kq
