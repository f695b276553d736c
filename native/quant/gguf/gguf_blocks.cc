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

}  // namespace

bool can_quantize(DType type) {
  return type == DType::Q8_0 || type == DType::Q4_0 || type == DType::Q4_1 || type == DType::Q5_0 ||
         type == DType::Q5_1;
}

bool can_dequantize(DType type) { return is_block_type(type); }

bool quantize_blocks(DType type, const float* x, int64_t nblocks, uint8_t* out) {
  if (cpu::use_avx2() && can_quantize(type)) return avx2::quantize_blocks(type, x, nblocks, out);
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

void quantize_tensor(const TensorView& t, DType type, uint8_t* out, uint64_t out_bytes, bool reference,
                     const JobContext& ctx) {
  t.validate();
  const std::string who = label(t);
  const char* tname = dtype_info(type).name;
  MCS_CHECK(can_quantize(type), std::string("cannot quantize to ") + tname + " (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 only)");
  MCS_CHECK(float_input(t.dtype), who + ": cannot quantize " + dtype_info(t.dtype).name + " to " + tname +
                                      " (needs F32, F16, BF16 or F64 values)");
  MCS_CHECK(t.cols() % kQK == 0, who + ": rows of " + std::to_string(t.cols()) + " elements are not a multiple of the " +
                                     tname + " block of 32");
  const int64_t nblocks = t.numel() / kQK;
  MCS_CHECK(out_bytes == quantized_bytes(type, t.numel()), who + ": output buffer has the wrong size");
  const size_t bsize = dtype_info(type).size;
  // F32 at a 4-byte aligned address is read in place; anything else is converted chunk by chunk.
  const bool direct = t.dtype == DType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0;
  const int64_t nchunks = (nblocks + kChunkBlocks - 1) / kChunkBlocks;
  std::atomic<int64_t> done{0}, first_bad{INT64_MAX};

  auto work = [&](size_t lo, size_t hi) {
    std::vector<float> buf(direct ? 0 : static_cast<size_t>(kChunkBlocks * kQK));
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      const int64_t b0 = static_cast<int64_t>(c) * kChunkBlocks, nb = std::min(kChunkBlocks, nblocks - b0);
      const float* x = reinterpret_cast<const float*>(t.data) + b0 * kQK;
      if (!direct) {
        if (reference) to_f32_ref(t, b0 * kQK, nb * kQK, buf.data());
        else to_f32(t, b0 * kQK, nb * kQK, buf.data());
        x = buf.data();
      }
      const bool ok = reference ? quantize_blocks_ref(type, x, nb, out + b0 * bsize)
                                : quantize_blocks(type, x, nb, out + b0 * bsize);
      if (!ok) {
        int64_t prev = first_bad.load();
        while (static_cast<int64_t>(c) < prev && !first_bad.compare_exchange_weak(prev, static_cast<int64_t>(c))) {}
      }
      ctx.progress(static_cast<double>(done += nb), static_cast<double>(nblocks), std::string("quantize ") + tname);
    }
  };
  if (reference) work(0, static_cast<size_t>(nchunks));
  else cpu::parallel_for(static_cast<size_t>(nchunks), 1, work);

  if (first_bad.load() != INT64_MAX) {
    const int64_t b0 = first_bad.load() * kChunkBlocks;
    const int64_t e = find_nonfinite(t, b0 * kQK, std::min(kChunkBlocks, nblocks - b0) * kQK);
    const int64_t cols = t.cols();
    fail(who + ": value at row " + std::to_string(e / cols) + ", column " + std::to_string(e % cols) +
         " is NaN or infinite; " + tname + " blocks can only hold finite values");
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
