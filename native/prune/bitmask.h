// compressed-tensors' bitmask sparse layouts (compressors/sparse_compressors):
//
// sparse-24-bitmask (2:4 weights, loaded by vLLM's sparse kernels): per 2-D
// weight [rows, cols], cols a multiple of 4,
//   compressed [rows, cols/2] — in each group of 4 the 2 largest magnitudes
//                               (ties: the earlier), in row-major order
//   bitmask    [rows, ceil(cols/8)] uint8 — bit j of byte b flags column 8b + j
//                               (numpy.packbits(bitorder="little") per row)
//   shape      [rows, cols]
// sparse-bitmask (unstructured): compressed holds every non-zero value in
// row-major order, the same bitmask flags them, and row_offsets[r] is where
// row r's values start.
#pragma once
#include <cstdint>
#include <vector>

#include "core/job.h"
#include "core/tensor.h"

namespace mcs::prune {

struct BitmaskShape {
  int64_t rows = 0, cols = 0;
  int width = 4;  // bytes per element
  int64_t mask_cols() const { return (cols + 7) / 8; }
};

BitmaskShape sparse24_shape(const TensorView& t);  // checks dtype and cols % 4
void sparse24_compress(const TensorView& t, uint8_t* values, uint8_t* bitmask, const JobContext& ctx);
void sparse24_compress_ref(const TensorView& t, uint8_t* values, uint8_t* bitmask);

// Refuses a mask whose row does not flag exactly cols/2 elements.
void sparse24_decompress(const uint8_t* values, const uint8_t* bitmask, const BitmaskShape& s, uint8_t* out,
                         const JobContext& ctx);

struct BitmaskCompressed {
  std::vector<uint8_t> values, bitmask;
  std::vector<int64_t> row_offsets;
};

BitmaskShape bitmask_shape(const TensorView& t);  // 2-D view: rows × last dim
BitmaskCompressed bitmask_compress(const TensorView& t, const JobContext& ctx);
// `nnz` values; refuses a mask that flags a different number of elements.
void bitmask_decompress(const uint8_t* values, int64_t nnz, const uint8_t* bitmask, const BitmaskShape& s, uint8_t* out,
                        const JobContext& ctx);

}  // namespace mcs::prune
