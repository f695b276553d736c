#include "quant/bnb4.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "quant/bnb4_kernels.h"
#include "quant/int_quant.h"
#include "quant/range.h"
#include "core/span_reader.h"

namespace mcs::quant {
namespace {

constexpr int64_t kChunkElems = SpanReader::kSegment;  // a chunk is converted once and stays in cache

struct Chunks {
  int64_t blocks_per_chunk, count;
};

Chunks chunks_of(int64_t blocks, int64_t blocksize) {
  const int64_t per = std::max<int64_t>(1, kChunkElems / blocksize);
  return {per, (blocks + per - 1) / per};
}

// offset = mean(absmax); absmax − offset in blocks of 256 → 8-bit dynamic-map
// codes and one float32 absmax per block; returns the absmax values a loader
// reconstructs: map[code] · nested + offset (two float32 roundings, like
// bitsandbytes' dequantize_blockwise followed by `absmax += offset`).
std::vector<float> double_quantize(const std::vector<float>& absmax, const Bnb4Outputs& out) {
  const int64_t n = int64_t(absmax.size());
  double sum = 0;
  for (float a : absmax) sum += a;
  const float offset = n ? static_cast<float>(sum / double(n)) : 0.0f;
  *out.offset = offset;
  const float* map = dynamic_map();
  std::vector<float> recon(absmax.size());
  for (int64_t b0 = 0; b0 < n; b0 += kBnbNestedBlock) {
    const int64_t b1 = std::min(n, b0 + kBnbNestedBlock);
    float a2 = 0;
    for (int64_t b = b0; b < b1; ++b) a2 = std::fmax(a2, std::fabs(absmax[b] - offset));
    out.nested_absmax[b0 / kBnbNestedBlock] = a2;
    const float inv = bnb_inverse(a2);
    for (int64_t b = b0; b < b1; ++b) {
      const uint8_t c = dynamic_code(std::fmin(std::fmax((absmax[b] - offset) * inv, -1.0f), 1.0f));
      out.absmax_codes[b] = c;
      const float scaled = map[c] * a2;
      recon[b] = scaled + offset;
    }
  }
  return recon;
}

}  // namespace

Bnb4Layout bnb4_layout(const TensorView& t, const Bnb4Spec& spec) {
  const std::string who = tensor_label(t);
  MCS_CHECK(t.dtype == DType::F32 || t.dtype == DType::F16 || t.dtype == DType::BF16,
            who + ": 4-bit quantization reads F32, F16 or BF16 weights, not " + dtype_info(t.dtype).name);
  const int64_t bs = spec.blocksize;
  MCS_CHECK(bs >= 32 && bs <= 4096 && (bs & (bs - 1)) == 0,
            who + ": bitsandbytes block size must be 32, 64, 128, 256, 512, 1024, 2048 or 4096, got " + std::to_string(bs));
  Bnb4Layout l;
  l.numel = t.numel();
  l.packed_bytes = (l.numel + 1) / 2;
  l.blocks = (l.numel + bs - 1) / bs;
  l.nested_blocks = spec.double_quant ? (l.blocks + kBnbNestedBlock - 1) / kBnbNestedBlock : 0;
  return l;
}

void decode_absmax(const uint8_t* codes, const float* nested, float offset, int64_t blocks, float* out) {
  const float* map = dynamic_map();
  for (int64_t b = 0; b < blocks; ++b) {
    const float scaled = map[codes[b]] * nested[b / kBnbNestedBlock];
    out[b] = scaled + offset;
  }
}

ErrorStats quantize_bnb4(const TensorView& t, const Bnb4Spec& spec, const Bnb4Outputs& out, const JobContext& ctx) {
  t.validate();
  const Bnb4Layout l = bnb4_layout(t, spec);
  const Bnb4Kernels& k = bnb4_kernels();
  const int64_t bs = spec.blocksize;
  const Chunks ch = chunks_of(l.blocks, bs);
  std::vector<float> absmax(static_cast<size_t>(l.blocks)), recon;
  auto block_range = [&](size_t c) {
    const int64_t b0 = int64_t(c) * ch.blocks_per_chunk;
    return std::make_pair(b0, std::min(l.blocks, b0 + ch.blocks_per_chunk));
  };
  std::vector<char> finite(static_cast<size_t>(ch.count), 1);
  if (spec.double_quant) {
    // The reconstruction needs every absmax first (their mean), so find them in a pass of their own.
    cpu::parallel_for(size_t(ch.count), 1, [&](size_t lo, size_t hi) {
      SpanReader r(t);
      for (size_t c = lo; c < hi; ++c) {
        ctx.check_cancel();
        const auto [b0, b1] = block_range(c);
        r.open(b0 * bs, std::min(b1 * bs, l.numel) - b0 * bs);
        for (int64_t b = b0; b < b1; ++b)
          finite[c] &= k.absmax(r.data() + (b - b0) * bs, std::min(bs, l.numel - b * bs), &absmax[b]);
      }
    });
    for (int64_t c = 0; c < ch.count; ++c)
      if (!finite[c]) fail_nonfinite(t, block_range(c).first * bs);
    recon = double_quantize(absmax, out);
  }
  std::vector<ErrorStats> chunk_err(static_cast<size_t>(ch.count));
  std::atomic<int64_t> done{0};
  cpu::parallel_for(size_t(ch.count), 1, [&](size_t lo, size_t hi) {
    SpanReader r(t);
    std::vector<float> inv(static_cast<size_t>(ch.blocks_per_chunk)), rec(inv.size());
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      const auto [b0, b1] = block_range(c);
      const int64_t start = b0 * bs, len = std::min(b1 * bs, l.numel) - start;
      prefetch_span(t, start + len, std::min(len, l.numel - start - len));
      r.open(start, len);  // a chunk is at most one segment: read once
      const float* x = r.data();
      for (int64_t b = b0; b < b1; ++b) {
        if (!spec.double_quant) {
          finite[c] &= k.absmax(x + (b - b0) * bs, std::min(bs, l.numel - b * bs), &absmax[b]);
          out.absmax[b] = absmax[b];
        }
        inv[b - b0] = bnb_inverse(absmax[b]);
        rec[b - b0] = spec.double_quant ? recon[b] : absmax[b];
      }
      k.quantize(x, len, bs, spec.type, inv.data(), rec.data(), out.packed + start / 2, &chunk_err[c]);
      const int64_t d = done.fetch_add(b1 - b0) + (b1 - b0);
      ctx.progress(double(d), double(l.blocks), "quantize");
    }
  });
  for (int64_t c = 0; c < ch.count; ++c)
    if (!finite[c]) fail_nonfinite(t, block_range(c).first * bs);
  ErrorStats total;
  for (const ErrorStats& e : chunk_err) total.merge(e);
  return total;
}

void dequantize_bnb4(const uint8_t* packed, const float* absmax, int64_t numel, const Bnb4Spec& spec, float* out,
                     const JobContext& ctx) {
  const Bnb4Kernels& k = bnb4_kernels();
  const int64_t bs = spec.blocksize, blocks = (numel + bs - 1) / bs;
  const Chunks ch = chunks_of(blocks, bs);
  cpu::parallel_for(size_t(ch.count), 1, [&](size_t lo, size_t hi) {
    for (size_t c = lo; c < hi; ++c) {
      ctx.check_cancel();
      const int64_t b0 = int64_t(c) * ch.blocks_per_chunk, b1 = std::min(blocks, b0 + ch.blocks_per_chunk);
      for (int64_t b = b0; b < b1; ++b)
        k.dequantize(packed + b * bs / 2, std::min(bs, numel - b * bs), spec.type, absmax[b], out + b * bs);
    }
  });
}

}  // namespace mcs::quant
