#include "quant/pack.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "cpu/thread_pool.h"

namespace mcs::quant {
namespace {

// One line (a row for dim 1, a column for dim 0) seen through a stride.
struct Line {
  int64_t count;       // lines
  int64_t n;           // codes per line
  int64_t code_step;   // stride between consecutive codes of a line
  int64_t code_line;   // stride between lines (codes)
  int64_t word_step;   // stride between consecutive words of a line
  int64_t word_line;   // stride between lines (words)
};

Line lines_of(const PackShape& s) {
  const int64_t words = packed_words(s.dim == 1 ? s.cols : s.rows, s.bits, s.layout);
  if (s.dim == 1) return {s.rows, s.cols, 1, s.cols, 1, words};
  return {s.cols, s.rows, s.cols, 1, s.cols, 1};
}

[[noreturn]] void fail_code(const PackShape& s, int64_t line, int64_t i, int v) {
  const int64_t r = s.dim == 1 ? line : i, c = s.dim == 1 ? i : line;
  fail("pack: code " + std::to_string(v) + " at [" + std::to_string(r) + ", " + std::to_string(c) +
       "] does not fit in " + std::to_string(s.bits) + " bits (range " + std::to_string(-(1 << (s.bits - 1))) + ".." +
       std::to_string((1 << (s.bits - 1)) - 1) + ")");
}

// Packing of one line; positions are in the line's little-endian bit stream.
void pack_line(const int8_t* codes, const PackShape& s, const Line& L, int64_t line, int32_t* out) {
  const int b = s.bits, half = 1 << (b - 1);
  const int per_word = 32 / b;
  const int8_t* c = codes + line * L.code_line;
  int32_t* w = out + line * L.word_line;
  if (L.code_step == 1 && L.word_step == 1) {
    // Contiguous row: stream the codes through a 64-bit accumulator.
    uint32_t bad = 0;
    uint64_t acc = 0;
    int filled = 0;
    int64_t word = 0;
    for (int64_t i = 0; i < L.n; ++i) {
      const uint32_t u = uint32_t(int(c[i]) + half);
      bad |= u >> b;  // non-zero when the code does not fit
      acc |= uint64_t(u) << filled;
      filled += b;
      const bool full = s.layout == PackLayout::Dense ? filled >= 32 : (i % per_word) == per_word - 1;
      if (full) {
        w[word++] = int32_t(uint32_t(acc));
        acc = s.layout == PackLayout::Dense ? acc >> 32 : 0;
        filled = s.layout == PackLayout::Dense ? filled - 32 : 0;
      }
    }
    if (filled > 0) w[word++] = int32_t(uint32_t(acc));
    if (bad)
      for (int64_t i = 0; i < L.n; ++i)
        if (c[i] < -half || c[i] >= half) fail_code(s, line, i, c[i]);
    return;
  }
  const int64_t words = packed_words(L.n, b, s.layout);
  const uint32_t mask = (1u << b) - 1;
  for (int64_t j = 0; j < words; ++j) w[j * L.word_step] = 0;
  for (int64_t i = 0; i < L.n; ++i) {
    const int v = c[i * L.code_step];
    if (v < -half || v >= half) fail_code(s, line, i, v);
    const uint32_t u = uint32_t(v + half) & mask;
    int64_t word, off;
    if (s.layout == PackLayout::Legacy) {
      word = i / per_word;
      off = (i % per_word) * b;
    } else {
      word = (i * b) >> 5;
      off = (i * b) & 31;
    }
    uint32_t* lo = reinterpret_cast<uint32_t*>(w + word * L.word_step);
    *lo |= u << off;
    if (off + b > 32) *reinterpret_cast<uint32_t*>(w + (word + 1) * L.word_step) |= u >> (32 - off);
  }
}

void unpack_line(const int32_t* packed, const PackShape& s, const Line& L, int64_t line, int8_t* out) {
  const int b = s.bits, half = 1 << (b - 1);
  const int per_word = 32 / b;
  const uint32_t mask = (1u << b) - 1;
  const int32_t* w = packed + line * L.word_line;
  int8_t* c = out + line * L.code_line;
  if (L.code_step == 1 && L.word_step == 1) {
    uint64_t acc = 0;
    int avail = 0;
    int64_t word = 0;
    for (int64_t i = 0; i < L.n; ++i) {
      if (s.layout == PackLayout::Legacy ? (i % per_word) == 0 : avail < b) {
        if (s.layout == PackLayout::Legacy) acc = 0, avail = 0;
        acc |= uint64_t(uint32_t(w[word++])) << avail;
        avail += 32;
      }
      c[i] = static_cast<int8_t>(int(acc & mask) - half);
      acc >>= b;
      avail -= b;
    }
    return;
  }
  for (int64_t i = 0; i < L.n; ++i) {
    int64_t word, off;
    if (s.layout == PackLayout::Legacy) {
      word = i / per_word;
      off = (i % per_word) * b;
    } else {
      word = (i * b) >> 5;
      off = (i * b) & 31;
    }
    uint32_t u = uint32_t(w[word * L.word_step]) >> off;
    if (off + b > 32) u |= uint32_t(w[(word + 1) * L.word_step]) << (32 - off);
    c[i * L.code_step] = static_cast<int8_t>(int(u & mask) - half);
  }
}

}  // namespace

int64_t packed_words(int64_t n, int bits, PackLayout layout) {
  if (layout == PackLayout::Legacy) {
    const int64_t per = 32 / bits;
    return (n + per - 1) / per;
  }
  return (n * bits + 31) / 32;
}

int64_t packed_rows(const PackShape& s) { return s.dim == 1 ? s.rows : packed_words(s.rows, s.bits, s.layout); }
int64_t packed_cols(const PackShape& s) { return s.dim == 1 ? packed_words(s.cols, s.bits, s.layout) : s.cols; }

void validate_pack(const PackShape& s) {
  MCS_CHECK(s.bits >= 1 && s.bits <= 8, "pack: bits must be between 1 and 8, got " + std::to_string(s.bits));
  MCS_CHECK(s.dim == 0 || s.dim == 1, "pack: dim must be 0 or 1");
  MCS_CHECK(s.rows >= 0 && s.cols >= 0, "pack: negative shape");
}

void pack_int32(const int8_t* codes, const PackShape& s, int32_t* out, const JobContext& ctx) {
  validate_pack(s);
  const Line L = lines_of(s);
  const size_t grain = size_t(std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(L.n, 1)));
  cpu::parallel_for(size_t(L.count), grain, [&](size_t lo, size_t hi) {
    ctx.check_cancel();
    for (size_t line = lo; line < hi; ++line) pack_line(codes, s, L, int64_t(line), out);
  });
}

void unpack_int32(const int32_t* packed, const PackShape& s, int8_t* out, const JobContext& ctx) {
  validate_pack(s);
  const Line L = lines_of(s);
  const size_t grain = size_t(std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(L.n, 1)));
  cpu::parallel_for(size_t(L.count), grain, [&](size_t lo, size_t hi) {
    ctx.check_cancel();
    for (size_t line = lo; line < hi; ++line) unpack_line(packed, s, L, int64_t(line), out);
  });
}

// ---- references: an explicit bit stream per line ----

namespace {
// Where code i and word w of line l live, and the bit-stream position of each code.
struct RefGeometry {
  bool rows;
  int64_t lines, n, words;
  int half;
  std::vector<int> pos;  // bit 0 of each code in the line's bit stream
  explicit RefGeometry(const PackShape& s)
      : rows(s.dim == 1), lines(rows ? s.rows : s.cols), n(rows ? s.cols : s.rows),
        words(packed_words(n, s.bits, s.layout)), half(1 << (s.bits - 1)), pos(static_cast<size_t>(n)) {
    const int per_word = 32 / s.bits;
    for (int64_t i = 0; i < n; ++i)
      pos[i] = s.layout == PackLayout::Legacy ? int(i / per_word) * 32 + int(i % per_word) * s.bits : int(i * s.bits);
  }
  int64_t code(const PackShape& s, int64_t l, int64_t i) const { return rows ? l * s.cols + i : i * s.cols + l; }
  int64_t word(const PackShape& s, int64_t l, int64_t w) const { return rows ? l * words + w : w * s.cols + l; }
};
}  // namespace

void pack_int32_ref(const int8_t* codes, const PackShape& s, int32_t* out) {
  validate_pack(s);
  const RefGeometry g(s);
  for (int64_t l = 0; l < g.lines; ++l) {
    std::vector<uint8_t> bits(static_cast<size_t>(g.words * 32), 0);
    for (int64_t i = 0; i < g.n; ++i) {
      const int v = codes[g.code(s, l, i)];
      if (v < -g.half || v >= g.half) fail_code(s, l, i, v);
      for (int k = 0; k < s.bits; ++k) bits[size_t(g.pos[i] + k)] = ((v + g.half) >> k) & 1;
    }
    for (int64_t w = 0; w < g.words; ++w) {
      uint32_t word = 0;
      for (int k = 0; k < 32; ++k) word |= uint32_t(bits[size_t(w * 32 + k)]) << k;
      int32_t sw;
      std::memcpy(&sw, &word, 4);
      out[g.word(s, l, w)] = sw;
    }
  }
}

void unpack_int32_ref(const int32_t* packed, const PackShape& s, int8_t* out) {
  validate_pack(s);
  const RefGeometry g(s);
  for (int64_t l = 0; l < g.lines; ++l)
    for (int64_t i = 0; i < g.n; ++i) {
      int u = 0;
      for (int k = 0; k < s.bits; ++k) {
        const int p = g.pos[i] + k;
        u |= int((uint32_t(packed[g.word(s, l, p / 32)]) >> (p % 32)) & 1u) << k;
      }
      out[g.code(s, l, i)] = static_cast<int8_t>(u - g.half);
    }
}

}  // namespace mcs::quant
