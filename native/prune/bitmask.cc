#include "prune/bitmask.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cpu/thread_pool.h"
#include "prune/prune_common.h"

namespace mcs::prune {
namespace {

size_t row_grain(int64_t cols) { return size_t(std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(cols, 1))); }

int row_popcount(const uint8_t* mask, int64_t cols) {
  int64_t c = 0;
  for (int64_t j = 0; j < cols; ++j) c += (mask[j >> 3] >> (j & 7)) & 1;
  return int(c);
}

// Scatter one row's values to the positions its mask flags.
void scatter_row(const uint8_t* values, const uint8_t* mask, int64_t cols, int width, uint8_t* out) {
  std::memset(out, 0, size_t(cols) * size_t(width));
  int64_t v = 0;
  for (int64_t j = 0; j < cols; ++j)
    if ((mask[j >> 3] >> (j & 7)) & 1) std::memcpy(out + j * width, values + (v++) * width, size_t(width));
}

}  // namespace

BitmaskShape sparse24_shape(const TensorView& t) {
  check_float_tensor(t, "sparse-24 compression");
  BitmaskShape s{t.rows(), t.cols(), elem_bytes(t)};
  MCS_CHECK(s.cols % 4 == 0, label(t) + ": sparse-24 needs rows whose length is a multiple of 4, not " + std::to_string(s.cols));
  return s;
}

// One row: the 2 largest magnitudes of each group of 4, in order, and their mask bits.
template <typename U>
void compress24_row(const uint8_t* src, int64_t cols, uint8_t* values, uint8_t* mask) {
  constexpr U kAbs = U(~U(0)) >> 1;
  uint8_t* out = values;
  std::memset(mask, 0, size_t((cols + 7) / 8));
  for (int64_t g = 0; g < cols; g += 4) {
    U v[4], k[4];
    std::memcpy(v, src + g * int64_t(sizeof(U)), sizeof v);
    for (int j = 0; j < 4; ++j) k[j] = v[j] & kAbs;
    // Branch-free: rank of each element among its 4, the 2 winners found with ctz.
    unsigned bits = 0;
    for (int j = 0; j < 4; ++j) {
      int rank = 0;
      for (int i = 0; i < 4; ++i) rank += int(k[i] > k[j]) | (int(k[i] == k[j]) & int(i < j));
      bits |= unsigned(rank < 2) << j;
    }
    const int first = __builtin_ctz(bits), second = __builtin_ctz(bits & (bits - 1));
    std::memcpy(out, &v[first], sizeof(U));
    std::memcpy(out + sizeof(U), &v[second], sizeof(U));
    out += 2 * sizeof(U);
    mask[g >> 3] |= uint8_t(bits << (g & 7));
  }
}

void sparse24_compress(const TensorView& t, uint8_t* values, uint8_t* bitmask, const JobContext& ctx) {
  const BitmaskShape s = sparse24_shape(t);
  const int w = s.width;
  cpu::parallel_for(size_t(s.rows), row_grain(s.cols), [&](size_t lo, size_t hi) {
    ctx.check_cancel();
    for (size_t r = lo; r < hi; ++r) {
      const uint8_t* src = t.data + int64_t(r) * s.cols * w;
      uint8_t* val = values + int64_t(r) * (s.cols / 2) * w;
      uint8_t* mask = bitmask + int64_t(r) * s.mask_cols();
      if (w == 4) compress24_row<uint32_t>(src, s.cols, val, mask);
      else compress24_row<uint16_t>(src, s.cols, val, mask);
    }
  });
}

void sparse24_compress_ref(const TensorView& t, uint8_t* values, uint8_t* bitmask) {
  const BitmaskShape s = sparse24_shape(t);
  std::vector<float> x(static_cast<size_t>(t.numel()));
  to_f32_ref(t, 0, t.numel(), x.data());
  std::memset(bitmask, 0, size_t(s.rows * s.mask_cols()));
  int64_t out = 0;
  for (int64_t r = 0; r < s.rows; ++r)
    for (int64_t g = 0; g < s.cols; g += 4) {
      int idx[4] = {0, 1, 2, 3};
      const float* v = x.data() + r * s.cols + g;
      std::stable_sort(idx, idx + 4, [&](int a, int b) { return std::fabs(v[a]) > std::fabs(v[b]); });
      std::sort(idx, idx + 2);
      for (int k = 0; k < 2; ++k) {
        std::memcpy(values + (out++) * s.width, t.data + (r * s.cols + g + idx[k]) * s.width, size_t(s.width));
        bitmask[r * s.mask_cols() + (g + idx[k]) / 8] |= uint8_t(1u << ((g + idx[k]) % 8));
      }
    }
}

void sparse24_decompress(const uint8_t* values, const uint8_t* bitmask, const BitmaskShape& s, uint8_t* out,
                         const JobContext& ctx) {
  MCS_CHECK(s.cols % 4 == 0, "sparse-24: the row length must be a multiple of 4");
  cpu::parallel_for(size_t(s.rows), row_grain(s.cols), [&](size_t lo, size_t hi) {
    ctx.check_cancel();
    for (size_t r = lo; r < hi; ++r) {
      const uint8_t* mask = bitmask + int64_t(r) * s.mask_cols();
      const int flagged = row_popcount(mask, s.cols);
      MCS_CHECK(flagged == s.cols / 2, "sparse-24 bitmask row " + std::to_string(r) + " flags " + std::to_string(flagged) +
                                           " values, expected " + std::to_string(s.cols / 2));
      scatter_row(values + int64_t(r) * (s.cols / 2) * s.width, mask, s.cols, s.width, out + int64_t(r) * s.cols * s.width);
    }
  });
}

BitmaskShape bitmask_shape(const TensorView& t) {
  check_float_tensor(t, "bitmask compression");
  return BitmaskShape{t.rows(), t.cols(), elem_bytes(t)};
}

BitmaskCompressed bitmask_compress(const TensorView& t, const JobContext& ctx) {
  const BitmaskShape s = bitmask_shape(t);
  const int w = s.width;
  BitmaskCompressed c;
  c.bitmask.assign(size_t(s.rows * s.mask_cols()), 0);
  c.row_offsets.assign(size_t(s.rows), 0);
  std::vector<int64_t> counts(size_t(s.rows), 0);
  cpu::parallel_for(size_t(s.rows), row_grain(s.cols), [&](size_t lo, size_t hi) {
    ctx.check_cancel();
    for (size_t r = lo; r < hi; ++r) {
      const uint8_t* src = t.data + int64_t(r) * s.cols * w;
      uint8_t* mask = c.bitmask.data() + int64_t(r) * s.mask_cols();
      for (int64_t j = 0; j < s.cols; ++j)
        if (key_at(src, j, w) != 0) {
          mask[j >> 3] |= uint8_t(1u << (j & 7));
          ++counts[r];
        }
    }
  });
  int64_t nnz = 0;
  for (int64_t r = 0; r < s.rows; ++r) {
    c.row_offsets[r] = nnz;
    nnz += counts[r];
  }
  c.values.resize(size_t(nnz) * size_t(w));
  cpu::parallel_for(size_t(s.rows), row_grain(s.cols), [&](size_t lo, size_t hi) {
    for (size_t r = lo; r < hi; ++r) {
      const uint8_t* src = t.data + int64_t(r) * s.cols * w;
      uint8_t* val = c.values.data() + c.row_offsets[r] * w;
      for (int64_t j = 0; j < s.cols; ++j)
        if (key_at(src, j, w) != 0) {
          std::memcpy(val, src + j * w, size_t(w));
          val += w;
        }
    }
  });
  return c;
}

void bitmask_decompress(const uint8_t* values, int64_t nnz, const uint8_t* bitmask, const BitmaskShape& s, uint8_t* out,
                        const JobContext& ctx) {
  std::vector<int64_t> offsets(size_t(s.rows) + 1, 0);
  for (int64_t r = 0; r < s.rows; ++r) offsets[r + 1] = offsets[r] + row_popcount(bitmask + r * s.mask_cols(), s.cols);
  MCS_CHECK(offsets[s.rows] == nnz, "bitmask flags " + std::to_string(offsets[s.rows]) + " values but " +
                                        std::to_string(nnz) + " were given");
  cpu::parallel_for(size_t(s.rows), row_grain(s.cols), [&](size_t lo, size_t hi) {
    ctx.check_cancel();
    for (size_t r = lo; r < hi; ++r)
      scatter_row(values + offsets[r] * s.width, bitmask + int64_t(r) * s.mask_cols(), s.cols, s.width,
                  out + int64_t(r) * s.cols * s.width);
  });
}

}  // namespace mcs::prune
