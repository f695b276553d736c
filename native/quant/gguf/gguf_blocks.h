// GGML block quantization: Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 both ways, and
// dequantization of every block type GGUF files carry (Q8_1 and the k-quants
// Q2_K … Q8_K too). Results are byte-identical (quantize) and bit-identical
// (dequantize) to ggml's reference functions; the fast paths equal the
// references exactly. Blocks are flat: a row of a tensor is a whole number of
// blocks, so a tensor is one run of rows × cols / block_size blocks.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "core/job.h"
#include "core/tensor.h"

namespace mcs::gguf {

// Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K…Q6_K, Q8_K, IQ4_NL, IQ4_XS.
bool can_quantize(DType type);
// Whether importance weights change `type`'s result (all the above but Q8_0 and Q8_K).
bool takes_importance(DType type);
bool can_dequantize(DType type);  // every GGML block type

// Block runs, single-threaded. `x` holds nblocks × 32 floats. They return false
// (output unspecified) when the input holds a NaN or ±inf, which GGUF blocks
// cannot represent. `_ref` is the plain scalar reference; the other uses AVX2
// when present (cpu::use_avx2()) and gives the same bytes.
bool quantize_blocks_ref(DType type, const float* x, int64_t nblocks, uint8_t* out);
bool quantize_blocks(DType type, const float* x, int64_t nblocks, uint8_t* out);

// `in` holds nblocks blocks (any alignment); out gets nblocks × block_size floats.
void dequantize_blocks_ref(DType type, const uint8_t* in, int64_t nblocks, float* out);
void dequantize_blocks(DType type, const uint8_t* in, int64_t nblocks, float* out);

struct QuantizeOptions {
  bool reference = false;  // the scalar reference, single-threaded
  // Importance weights, one per column (llama.cpp's imatrix values ÷ ncall, as
  // llama-quantize passes them), or null. Finite and ≥ 0.
  const float* importance = nullptr;
  // IQ4_NL only: ggml's quantize_row_iq4_nl_ref (no scale sweep) instead of
  // quantize_iq4_nl, which llama-quantize runs.
  bool iq4_nl_row_ref = false;
};

// Bytes of `type` for a tensor of `numel` elements (numel a multiple of the block).
uint64_t quantized_bytes(DType type, int64_t numel);

// Whole tensors, multithreaded over blocks (results do not depend on the thread
// count). The input may be F32, F16, BF16 or F64; its rows must be a multiple of
// the type's block (32 or 256). `out` must hold quantized_bytes(type, t.numel()). A non-finite input is
// an error naming the tensor, row and column.
void quantize_tensor(const TensorView& t, DType type, uint8_t* out, uint64_t out_bytes, const QuantizeOptions& opt,
                     const JobContext& ctx);
inline void quantize_tensor(const TensorView& t, DType type, uint8_t* out, uint64_t out_bytes, bool reference,
                            const JobContext& ctx) {
  QuantizeOptions opt;
  opt.reference = reference;
  quantize_tensor(t, type, out, out_bytes, opt, ctx);
}
// Rows [row_begin, row_begin + nrows) of a block tensor into out (nrows × cols floats).
void dequantize_tensor(const TensorView& t, int64_t row_begin, int64_t nrows, float* out, bool reference,
                       const JobContext& ctx);

}  // namespace mcs::gguf
