// Integer weights × float activations (W8A16, W4A16 and other widths held as
// 4 or 8 bits): y[t, n] = Σ_g s[n,g] · Σ_{k∈g} (u[n,k] − off[n,g]) · x[t,k],
// where u is the code as held and off = base + zero point (base = the offset
// the held codes carry: 8 for 4-bit, 128 for offset 8-bit, 0 for signed int8).
//
// The fast paths compute Σ u·x per group and subtract off·Σx (Σx per token
// and group is computed once per call), so the codes are never widened with
// their offset. Every output element is accumulated the same way whatever
// the tile, token count or thread split it falls in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mcs::engine::qlinear {

enum class CodeLayout {
  U4,  // two codes per byte, interleaved per 16: byte i of a 16-chunk = u[i] | u[i + 8] << 4
  U8,  // one unsigned code per byte (compressed-tensors' 8-bit pack: code + 128)
  S8,  // one signed code per byte (int-quantized int8 weights)
  T4,  // 4-bit codes as U4, each standing for table[code] (NF4/FP4 code books)
};

struct IntWeights {
  int64_t in = 0, out = 0;
  CodeLayout layout = CodeLayout::U8;
  const uint8_t* data = nullptr;  // row n starts at data + n · stride
  int64_t stride = 0;             // bytes per row
  int64_t groups = 1, group = 0;  // group · groups == in
  std::vector<float> scale;       // [out, groups]
  std::vector<float> offset;      // [out, groups], or empty: `base` everywhere
  float base = 0.0f;
  float table[16] = {};  // T4: the value of each code

  // The value a held code stands for (before offset and scale).
  float value(int64_t n, int64_t k) const {
    const int32_t c = code(n, k);
    return layout == CodeLayout::T4 ? table[c] : float(c);
  }

  float off(int64_t n, int64_t g) const { return offset.empty() ? base : offset[size_t(n * groups + g)]; }
  // The code as held, at row n, column k.
  int32_t code(int64_t n, int64_t k) const {
    const uint8_t* row = data + n * stride;
    switch (layout) {
      case CodeLayout::T4:
      case CodeLayout::U4: {
        const uint8_t b = row[(k >> 4) * 8 + (k & 7)];
        return (k & 8) ? b >> 4 : b & 15;
      }
      case CodeLayout::U8: return row[k];
      case CodeLayout::S8: return int8_t(row[k]);
    }
    return 0;
  }
  // Whether the 16-wide SIMD path can run (groups start on 16-column chunks).
  bool chunked() const { return groups == 1 || group % 16 == 0; }
};

struct IntCall {
  const IntWeights* w;
  const float* x;     // [T, in]
  int64_t T;
  const float* xsum;  // [T, groups]: Σx per token and group (sequential order)
  float* y;           // [T, ldy]
  int64_t ldy;
};

// Σx per token and group, in column order (the fast paths' correction term).
void group_sums(const float* x, int64_t T, int64_t K, int64_t groups, int64_t group, float* out);

// Rows [n0, n1) for every token. Reference: ŵ = (u − off)·s in float, products
// summed in double. Fast: AVX2 when present, else a portable float version.
void int_rows_ref(const IntCall& c, int64_t n0, int64_t n1);
void int_rows(const IntCall& c, int64_t n0, int64_t n1);
void int_rows_portable(const IntCall& c, int64_t n0, int64_t n1);

namespace avx2 {
void int_rows(const IntCall& c, int64_t n0, int64_t n1);
}

}  // namespace mcs::engine::qlinear
