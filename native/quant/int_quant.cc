#include "quant/int_quant.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "quant/int_kernels.h"
#include "quant/range.h"
#include "core/span_reader.h"

namespace mcs::quant {
namespace {

constexpr int64_t kBlockElems = int64_t(1) << 16;  // elements per parallel work item (at least one group)

// Divisors of n closest to `wanted`, for the error message of a group size that does not fit.
std::string fitting_group_sizes(int64_t n, int64_t wanted) {
  std::vector<int64_t> d;
  for (int64_t i = 1; i * i <= n && d.size() < 4096; ++i)
    if (n % i == 0) {
      d.push_back(i);
      if (i != n / i) d.push_back(n / i);
    }
  std::sort(d.begin(), d.end(), [&](int64_t a, int64_t b) {
    const int64_t da = std::llabs(a - wanted), db = std::llabs(b - wanted);
    return da != db ? da < db : a > b;
  });
  d.resize(std::min<size_t>(d.size(), 6));
  std::sort(d.begin(), d.end());
  std::string s;
  for (int64_t v : d) s += (s.empty() ? "" : ", ") + std::to_string(v);
  return s;
}

// Parameter groups are processed in blocks of whole groups (or, per tensor, of
// segments), each block's error summed on its own and the blocks combined in
// order, so results do not depend on the number of threads.
struct Plan {
  int64_t unit;             // elements per unit (a group, or a segment per tensor)
  int64_t units;            // number of units
  int64_t units_per_block;  // units per parallel work item
  int64_t blocks;
};

Plan make_plan(const IntLayout& l) {
  Plan p;
  p.unit = l.granularity == Granularity::Tensor ? SpanReader::kSegment : l.group_size;
  p.units = p.unit > 0 ? (l.numel + p.unit - 1) / p.unit : 0;
  p.units_per_block = std::max<int64_t>(1, kBlockElems / std::max<int64_t>(p.unit, 1));
  p.blocks = (p.units + p.units_per_block - 1) / p.units_per_block;
  return p;
}

}  // namespace

std::string tensor_label(const TensorView& t) { return t.name.empty() ? std::string("tensor") : "tensor '" + t.name + "'"; }

void validate_range(const RangeSpec& r) {
  if (r.method == RangeMethod::Percentile)
    MCS_CHECK(r.percentile > 0 && r.percentile <= 100, "percentile must be in (0, 100], got " + std::to_string(r.percentile));
  if (r.method == RangeMethod::Mse) {
    MCS_CHECK(r.grid >= 1 && r.grid <= 10000, "MSE grid must have 1 to 10000 candidates");
    MCS_CHECK(r.min_ratio > 0 && r.min_ratio <= 1, "MSE smallest clip ratio must be in (0, 1]");
  }
}

IntLayout int_layout(const TensorView& t, const IntSpec& spec) {
  const std::string who = tensor_label(t);
  MCS_CHECK(spec.bits >= 2 && spec.bits <= 8, who + ": bits must be between 2 and 8, got " + std::to_string(spec.bits));
  MCS_CHECK(t.dtype == DType::F32 || t.dtype == DType::F16 || t.dtype == DType::BF16,
            who + ": quantization reads F32, F16 or BF16 weights, not " + dtype_info(t.dtype).name);
  IntLayout l;
  l.granularity = spec.granularity;
  l.numel = t.numel();
  l.cols = t.cols();
  l.rows = t.rows();
  switch (spec.granularity) {
    case Granularity::Tensor:
      l.group_size = l.numel;
      l.groups_per_row = 1;
      l.num_params = 1;
      break;
    case Granularity::Channel:
      l.group_size = l.cols;
      l.groups_per_row = 1;
      l.num_params = l.rows;
      break;
    case Granularity::Group: {
      const int64_t g = spec.group_size;
      MCS_CHECK(g >= 1, who + ": group size must be a positive number of input columns");
      if (l.cols % g != 0)
        fail(who + ": group size " + std::to_string(g) + " does not divide the row length " + std::to_string(l.cols) +
             "; group sizes that fit: " + fitting_group_sizes(l.cols, g) + " (or quantize per channel)");
      l.group_size = g;
      l.groups_per_row = l.cols / g;
      l.num_params = l.rows * l.groups_per_row;
      break;
    }
  }
  return l;
}

ErrorStats quantize_int(const TensorView& t, const IntSpec& spec, const RangeSpec& range, const IntOutputs& out,
                        const JobContext& ctx) {
  t.validate();
  const IntLayout l = int_layout(t, spec);
  validate_range(range);
  const IntKernels& k = int_kernels();
  const IntGrid g = int_grid(spec.bits);
  QParams global;
  if (l.granularity == Granularity::Tensor) {
    const Range r = tensor_range(t, spec, range, k, ctx);
    global = compute_qparams(r.lo, r.hi, spec.bits, spec.symmetric, spec.scale_type);
    out.scales[0] = global.scale;
    out.zero_points[0] = static_cast<int32_t>(global.zero);
  }
  const Plan plan = make_plan(l);
  std::vector<ErrorStats> block_err(static_cast<size_t>(plan.blocks));
  std::atomic<int64_t> done{0};
  cpu::parallel_for(static_cast<size_t>(plan.blocks), 1, [&](size_t lo, size_t hi) {
    SpanReader reader(t);
    std::vector<float> scratch;
    for (size_t b = lo; b < hi; ++b) {
      ctx.check_cancel();
      const int64_t u0 = int64_t(b) * plan.units_per_block, u1 = std::min(plan.units, u0 + plan.units_per_block);
      ErrorStats& err = block_err[b];
      for (int64_t u = u0; u < u1; ++u) {
        const int64_t start = u * plan.unit, n = std::min(plan.unit, l.numel - start);
        prefetch_span(t, start + n, std::min(plan.unit, l.numel - start - n));
        reader.open(start, n);
        QParams p = global;
        if (l.granularity != Granularity::Tensor) {
          const Range r = span_range(reader, t, start, spec, range, k, scratch, ctx);
          p = compute_qparams(r.lo, r.hi, spec.bits, spec.symmetric, spec.scale_type);
          out.scales[u] = p.scale;
          out.zero_points[u] = static_cast<int32_t>(p.zero);
        }
        reader.for_each([&](const float* x, int64_t off, int64_t len) {
          k.quantize(x, len, p, g, out.codes + start + off, &err);
        });
      }
      const int64_t d = done.fetch_add(u1 - u0) + (u1 - u0);
      ctx.progress(double(d), double(plan.units), "quantize");
    }
  });
  ErrorStats total;
  for (const ErrorStats& e : block_err) total.merge(e);
  return total;
}

void dequantize_int(const IntCodes& in, const IntLayout& l, float* out, const JobContext& ctx) {
  const IntKernels& k = int_kernels();
  const Plan plan = make_plan(l);
  std::atomic<int64_t> done{0};
  cpu::parallel_for(static_cast<size_t>(plan.blocks), 1, [&](size_t lo, size_t hi) {
    for (size_t b = lo; b < hi; ++b) {
      ctx.check_cancel();
      const int64_t u0 = int64_t(b) * plan.units_per_block, u1 = std::min(plan.units, u0 + plan.units_per_block);
      for (int64_t u = u0; u < u1; ++u) {
        const int64_t start = u * plan.unit, n = std::min(plan.unit, l.numel - start);
        const int64_t pi = param_index(l, start);
        const QParams p{in.scales[pi], static_cast<float>(in.zero_points[pi])};
        k.dequantize(in.codes + start, n, p, out + start);
      }
      const int64_t d = done.fetch_add(u1 - u0) + (u1 - u0);
      ctx.progress(double(d), double(plan.units), "dequantize");
    }
  });
}

}  // namespace mcs::quant
