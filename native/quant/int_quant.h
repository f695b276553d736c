// Uniform integer quantization (2–8 bits), symmetric or affine, per tensor,
// per output channel (row) or in groups of G consecutive input columns, with
// round to nearest and a choice of range: min/max, percentile clipping or the
// MSE-optimal clip ratio. Formulas and conventions: qparams.h.
//
// Outputs (caller-allocated, sizes from int_layout): one int8 code per element,
// and per parameter group a float32 scale and an int32 zero point, laid out
// [rows, groups_per_row] row-major — compressed-tensors' weight_scale /
// weight_zero_point shapes ([1] per tensor, [rows, 1] per channel,
// [rows, cols / G] per group). The error against the input comes back too.
#pragma once
#include <cstdint>
#include <string>

#include "core/job.h"
#include "core/tensor.h"
#include "quant/error_stats.h"
#include "quant/qparams.h"

namespace mcs::quant {

enum class Granularity { Tensor, Channel, Group };
enum class RangeMethod { MinMax, Percentile, Mse };

struct IntSpec {
  int bits = 4;  // 2..8
  bool symmetric = true;
  Granularity granularity = Granularity::Channel;
  int64_t group_size = 0;  // Group only; must divide the row length
  ScaleType scale_type = ScaleType::F32;
};

struct RangeSpec {
  RangeMethod method = RangeMethod::MinMax;
  // Percentile: clip at this percentile of |w| (symmetric) or at the
  // (100 − p)th and pth percentiles of w (affine); exact order statistics with
  // linear interpolation between neighbours (numpy's default).
  double percentile = 99.99;
  // Mse: try `grid` clip ratios evenly spaced over [min_ratio, 1] (both ends
  // of the range shrink by the ratio, as llm-compressor's MSE observer does)
  // and keep the one with the least squared error; ties keep the wider range.
  int grid = 100;
  double min_ratio = 0.5;
};

struct IntLayout {
  Granularity granularity = Granularity::Channel;
  int64_t numel = 0, rows = 0, cols = 0;
  int64_t group_size = 0;      // elements sharing one scale (numel for Tensor)
  int64_t groups_per_row = 0;  // 1 for Channel and Tensor
  int64_t num_params = 0;      // 1 for Tensor, rows · groups_per_row otherwise
};

// Checks the spec against the tensor's shape; a group size that does not
// divide the row length is refused with sizes that would fit.
IntLayout int_layout(const TensorView& t, const IntSpec& spec);
void validate_range(const RangeSpec& r);

struct IntOutputs {
  int8_t* codes;         // numel
  float* scales;         // num_params
  int32_t* zero_points;  // num_params
};

// Multithreaded, AVX2 where the CPU has it.
ErrorStats quantize_int(const TensorView& t, const IntSpec& spec, const RangeSpec& range, const IntOutputs& out,
                        const JobContext& ctx);
// Plain single-threaded reference (whole tensor in memory, sorting for
// percentiles), for tests.
ErrorStats quantize_int_ref(const TensorView& t, const IntSpec& spec, const RangeSpec& range, const IntOutputs& out);

struct IntCodes {
  const int8_t* codes;
  const float* scales;
  const int32_t* zero_points;
};

// x̂ = (q − zp) · scale into out[numel].
void dequantize_int(const IntCodes& in, const IntLayout& layout, float* out, const JobContext& ctx);
void dequantize_int_ref(const IntCodes& in, const IntLayout& layout, float* out);

// Where parameter group u starts (Channel/Group: groups tile the rows).
inline int64_t param_index(const IntLayout& l, int64_t element) {
  return l.granularity == Granularity::Tensor ? 0 : element / l.group_size;
}

std::string tensor_label(const TensorView& t);

}  // namespace mcs::quant
