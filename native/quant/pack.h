// compressed-tensors' pack_to_int32 / unpack_from_int32: signed b-bit codes
// (int8) are offset by 2^(b−1) to unsigned and packed into int32 words along
// one dimension — rows of weight codes (dim 1), or columns of zero points
// (dim 0, so weight_zero_point is [ceil(rows·b/32), groups]).
//
// Dense (compressed-tensors ≥ 0.13): code i of a line occupies bits
// [i·b, i·b + b) of the line's little-endian bit stream, crossing word
// boundaries when 32 is not a multiple of b; ceil(n·b/32) words per line.
// Legacy (earlier releases): floor(32/b) codes per word at shifts j·b, the
// top bits unused; ceil(n / floor(32/b)) words per line. For b = 2, 4 and 8
// both layouts are the same bytes.
#pragma once
#include <cstdint>

#include "core/job.h"

namespace mcs::quant {

enum class PackLayout { Dense, Legacy };

struct PackShape {
  int64_t rows, cols;  // of the codes
  int bits;
  int dim;  // 1: pack along each row, 0: along each column
  PackLayout layout = PackLayout::Dense;
};

int64_t packed_words(int64_t n, int bits, PackLayout layout);
// Packed tensor dims: dim 1 → [rows, words(cols)], dim 0 → [words(rows), cols].
int64_t packed_rows(const PackShape& s);
int64_t packed_cols(const PackShape& s);
void validate_pack(const PackShape& s);

// Codes outside [−2^(b−1), 2^(b−1) − 1] are refused (they would corrupt their neighbours).
void pack_int32(const int8_t* codes, const PackShape& s, int32_t* out, const JobContext& ctx);
void unpack_int32(const int32_t* packed, const PackShape& s, int8_t* out, const JobContext& ctx);
// Bit-by-bit references.
void pack_int32_ref(const int8_t* codes, const PackShape& s, int32_t* out);
void unpack_int32_ref(const int32_t* packed, const PackShape& s, int8_t* out);

}  // namespace mcs::quant
