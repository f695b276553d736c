// Dispatch between the scalar references and the AVX2 paths, and the
// multithreaded whole-tensor drivers.
#include "quant/gguf/gguf_blocks.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "cpu/cpu_features.h"
#include "cpu/thread_pool.h"
#include "quant/gguf/blocks.h"
#include "quant/gguf/kquants.h"

namespace mcs::gguf {

namespace avx2 {
bool quantize_blocks(DType type, const float* x, int64_t nblocks, uint8_t* out);
void dequantize_blocks(DType type, const uint8_t* in, int64_t nblocks, float* out);
}  // namespace avx2

namespace {

constexpr int64_t kChunkBlocks = 1024;  // unit of parallel work, cancel and progress

std::string label(const TensorView& t) { return t.name.empty() ? std::string("tensor") : "tensor '" + t.name + "'"; }

bool float_input(DType dt) { return dt == DType::F32 || dt == DType::F16 || dt == DType::BF16 || dt == DType::F64; }

// First NaN/inf among elements [begin, begin + n), as an element index.
int64_t find_nonfinite(const TensorView& t, int64_t begin, int64_t n) {
  std::vector<float> buf(static_cast<size_t>(n));
  to_f32_ref(t, begin, n, buf.data());
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(buf[i])) return begin + i;
  return -1;
}

// Elements [begin, begin + n) of t as floats: read in place when F32 at an
// aligned address, otherwise converted into buf.
const float* floats_of(const TensorView& t, int64_t begin, int64_t n, bool reference, std::vector<float>& buf) {
  if (t.dtype == DType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0)
    return reinterpret_cast<const float*>(t.data) + begin;
  buf.resize(static_cast<size_t>(n));
  if (reference) to_f32_ref(t, begin, n, buf.data());
  else to_f32(t, begin, n, buf.data());
  return buf.data();
}

// Whether n floats are all finite: an exponent of all ones marks NaN/inf (integer
// ops, so the compiler vectorizes the scan).
bool all_finite(const float* x, int64_t n) {
  uint32_t bad = 0;
  for (int64_t j = 0; j < n; ++j) {
    uint32_t u;
    std::memcpy(&u, x + j, 4);
    bad |= static_cast<uint32_t>((u & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

// a = min(a, v), from any thread.
void lower(std::atomic<int64_t>& a, int64_t v) {
  int64_t prev = a.load();
  while (v < prev && !a.compare_exchange_weak(prev, v)) {}
}

bool legacy_quant(DType type) {
  return type == DType::Q8_0 || type == DType::Q4_0 || type == DType::Q4_1 || type == DType::Q5_0 ||
         type == DType::Q5_1;
}

}  // namespace

bool can_quantize(DType type) { return legacy_quant(type) || kq::searched_type(type); }
bool takes_importance(DType type) { return kq::weighted_type(type); }

bool can_dequantize(DType type) { return is_block_type(type); }

bool quantize_blocks(DType type, const float* x, int64_t nblocks, uint8_t* out) {
  if (cpu::use_avx2() && legacy_quant(type)) return avx2::quantize_blocks(type, x, nblocks, out);
  return quantize_blocks_ref(type, x, nblocks, out);
}

void dequantize_blocks(DType type, const uint8_t* in, int64_t nblocks, float* out) {
  if (cpu::use_avx2() && can_dequantize(type)) return avx2::dequantize_blocks(type, in, nblocks, out);
  dequantize_blocks_ref(type, in, nblocks, out);
}

uint64_t quantized_bytes(DType type, int64_t numel) {
  const DTypeInfo& info = dtype_info(type);
  return static_cast<uint64_t>(numel / info.block) * info.size;
}

namespace {

std::string nonfinite_message(const std::string& who, int64_t e, int64_t cols, const char* tname) {
  return who + ": value at row " + std::to_string(e / cols) + ", column " + std::to_string(e % cols) +
         " is NaN or infinite; " + tname + " blocks can only hold finite values";
}

// The searched types (k-quants, IQ4) and importance-weighted legacy types:
// whole rows at a time, as ggml quantizes them.
void quantize_rows(const TensorView& t, DType type, uint8_t* out, const QuantizeOptions& opt, const JobContext& ctx) {
  const std::string who = label(t);
  const char* tname = dtype_info(type).name;
  const int64_t rows = t.rows(), cols = t.cols();
  const size_t row_bytes = static_cast<size_t>(quantized_bytes(type, cols));
  const int64_t chunk_rows = std::max<int64_t>(1, 65536 / cols);
  const int64_t nchunks = (rows + chunk_rows - 1) / chunk_rows;
  const kq::Searches& searches = opt.reference ? kq::searches_ref() : kq::searches();
  kq::RowOptions ropt;
  ropt.qw = takes_importance(type) ? opt.importance : nullptr;
  ropt.iq4_nl_row_ref = opt.iq4_nl_row_ref;
  std::atomic<int64_t> done{0}, first_nonfinite{INT64_MAX}, first_bad_scale{INT64_MAX};
  auto work = [&](size_t lo, size_t hi) {
    std::vector<float> buf;
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      const int64_t r0 = static_cast<int64_t>(c) * chunk_rows, nr = std::min(chunk_rows, rows - r0);
      const float* x = floats_of(t, r0 * cols, nr * cols, opt.reference, buf);
      for (int64_t r = 0; r < nr; ++r) {
        const float* xr = x + r * cols;
        if (!all_finite(xr, cols)) {
          for (int64_t j = 0; j < cols; ++j)
            if (!std::isfinite(xr[j])) {
              lower(first_nonfinite, (r0 + r) * cols + j);
              break;
            }
          continue;
        }
        uint8_t* o = out + static_cast<size_t>(r0 + r) * row_bytes;
        kq::quantize_row(type, xr, cols, ropt, searches, o);
        if (!kq::scales_finite(type, o, cols / dtype_info(type).block)) lower(first_bad_scale, r0 + r);
      }
      ctx.progress(static_cast<double>(done += nr), static_cast<double>(rows), std::string("quantize ") + tname);
    }
  };
  if (opt.reference) work(0, static_cast<size_t>(nchunks));
  else cpu::parallel_for(static_cast<size_t>(nchunks), 1, work);
  if (first_nonfinite.load() != INT64_MAX) fail(nonfinite_message(who, first_nonfinite.load(), cols, tname));
  if (first_bad_scale.load() != INT64_MAX)
    fail(who + ": row " + std::to_string(first_bad_scale.load()) + " gives a " + tname +
         " scale that is not finite; its importance weights are zero over a whole block (llama-quantize refuses "
         "such a tensor too)");
}

}  // namespace

void quantize_tensor(const TensorView& t, DType type, uint8_t* out, uint64_t out_bytes, const QuantizeOptions& opt,
                     const JobContext& ctx) {
  t.validate();
  const std::string who = label(t);
  const char* tname = dtype_info(type).name;
  const int64_t block = dtype_info(type).block;
  MCS_CHECK(can_quantize(type), std::string("cannot quantize to ") + tname +
                                    " (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K…Q6_K, Q8_K, IQ4_NL, IQ4_XS only)");
  MCS_CHECK(float_input(t.dtype), who + ": cannot quantize " + dtype_info(t.dtype).name + " to " + tname +
                                      " (needs F32, F16, BF16 or F64 values)");
  MCS_CHECK(t.cols() % block == 0, who + ": rows of " + std::to_string(t.cols()) + " elements are not a multiple of the " +
                                       tname + " block of " + std::to_string(block));
  MCS_CHECK(out_bytes == quantized_bytes(type, t.numel()), who + ": output buffer has the wrong size");
  if (opt.importance)
    for (int64_t j = 0; j < t.cols(); ++j)
      MCS_CHECK(std::isfinite(opt.importance[j]) && opt.importance[j] >= 0,
                who + ": importance weight of column " + std::to_string(j) + " is " +
                    std::to_string(opt.importance[j]) + "; weights must be finite and not negative");
  if (kq::searched_type(type) || (opt.importance && takes_importance(type))) return quantize_rows(t, type, out, opt, ctx);
  const bool reference = opt.reference;
  const int64_t nblocks = t.numel() / kQK;
  const size_t bsize = dtype_info(type).size;
  const int64_t nchunks = (nblocks + kChunkBlocks - 1) / kChunkBlocks;
  std::atomic<int64_t> done{0}, first_bad{INT64_MAX};

  auto work = [&](size_t lo, size_t hi) {
    std::vector<float> buf;
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      const int64_t b0 = static_cast<int64_t>(c) * kChunkBlocks, nb = std::min(kChunkBlocks, nblocks - b0);
      const float* x = floats_of(t, b0 * kQK, nb * kQK, reference, buf);
      const bool ok = reference ? quantize_blocks_ref(type, x, nb, out + b0 * bsize)
                                : quantize_blocks(type, x, nb, out + b0 * bsize);
      if (!ok) lower(first_bad, static_cast<int64_t>(c));
      ctx.progress(static_cast<double>(done += nb), static_cast<double>(nblocks), std::string("quantize ") + tname);
    }
  };
  if (reference) work(0, static_cast<size_t>(nchunks));
  else cpu::parallel_for(static_cast<size_t>(nchunks), 1, work);

  if (first_bad.load() != INT64_MAX) {
    const int64_t b0 = first_bad.load() * kChunkBlocks;
    const int64_t e = find_nonfinite(t, b0 * kQK, std::min(kChunkBlocks, nblocks - b0) * kQK);
    fail(nonfinite_message(who, e, t.cols(), tname));
  }
}

void dequantize_tensor(const TensorView& t, int64_t row_begin, int64_t nrows, float* out, bool reference,
                       const JobContext& ctx) {
  t.validate();
  const std::string who = label(t);
  const DTypeInfo& info = dtype_info(t.dtype);
  MCS_CHECK(can_dequantize(t.dtype), who + ": " + info.name + " is not a GGML block type");
  MCS_CHECK(row_begin >= 0 && nrows >= 0 && row_begin <= t.rows() && nrows <= t.rows() - row_begin,
            who + ": rows " + std::to_string(row_begin) + "+" + std::to_string(nrows) + " are outside its " +
                std::to_string(t.rows()) + " rows");
  const int64_t first = row_begin * t.cols() / info.block, nblocks = nrows * t.cols() / info.block;
  const uint8_t* in = t.data + static_cast<uint64_t>(first) * info.size;
  const int64_t nchunks = (nblocks + kChunkBlocks - 1) / kChunkBlocks;
  std::atomic<int64_t> done{0};
  auto work = [&](size_t lo, size_t hi) {
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      const int64_t b0 = static_cast<int64_t>(c) * kChunkBlocks, nb = std::min(kChunkBlocks, nblocks - b0);
      if (reference) dequantize_blocks_ref(t.dtype, in + b0 * info.size, nb, out + b0 * info.block);
      else dequantize_blocks(t.dtype, in + b0 * info.size, nb, out + b0 * info.block);
      ctx.progress(static_cast<double>(done += nb), static_cast<double>(nblocks), std::string("dequantize ") + info.name);
    }
  };
  if (reference) work(0, static_cast<size_t>(nchunks));
  else cpu::parallel_for(static_cast<size_t>(nchunks), 1, work);
}

}  // namespace mcs::gguf
