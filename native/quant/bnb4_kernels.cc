#include "quant/bnb4_kernels.h"

#include <algorithm>
#include <cmath>

#include "cpu/cpu_features.h"

namespace mcs::quant {

namespace avx2 {
const Bnb4Kernels& bnb4_kernels();
}

namespace {

bool absmax_portable(const float* x, int64_t n, float* out) {
  float m = 0;
  bool finite = true;
  for (int64_t i = 0; i < n; ++i) {
    finite &= std::isfinite(x[i]);
    const float a = std::fabs(x[i]);
    m = a > m ? a : m;  // not fmax: a library call, and NaN is caught by `finite`
  }
  *out = m;
  return finite;
}

inline uint8_t code_of(float x, Bnb4Type t, float inv, const Bnb4Codebook& cb) {
  return bnb4_code(std::fmin(std::fmax(x * inv, -1.0f), 1.0f), t, cb);
}

void quantize_portable(const float* x, int64_t n, int64_t blocksize, Bnb4Type t, const float* inv, const float* recon,
                       uint8_t* packed, ErrorStats* err) {
  const Bnb4Codebook& cb = bnb4_codebook(t);
  double sum_sq = 0, sse = 0;
  float max_abs = err->max_abs;
  for (int64_t i = 0; i < n; i += 2) {
    const int64_t b = i / blocksize;  // blocks are even-sized: a pair never straddles two
    const uint8_t hi = code_of(x[i], t, inv[b], cb);
    const uint8_t lo = i + 1 < n ? code_of(x[i + 1], t, inv[b], cb) : code_of(0.0f, t, inv[b], cb);
    packed[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
    for (int64_t k = 0; k < 2 && i + k < n; ++k) {
      const float e = x[i + k] - cb.value[k == 0 ? hi : lo] * recon[b];
      sum_sq += double(x[i + k]) * double(x[i + k]);
      sse += double(e) * double(e);
      max_abs = e > max_abs ? e : (-e > max_abs ? -e : max_abs);
    }
  }
  err->count += n;
  err->sum_sq += sum_sq;
  err->sse += sse;
  err->max_abs = max_abs;
}

void dequantize_portable(const uint8_t* packed, int64_t n, Bnb4Type t, float absmax, float* out) {
  const Bnb4Codebook& cb = bnb4_codebook(t);
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t b = packed[i / 2];
    out[i] = cb.value[(i & 1) ? (b & 0xf) : (b >> 4)] * absmax;
  }
}

const Bnb4Kernels kPortable = {absmax_portable, quantize_portable, dequantize_portable};

}  // namespace

const Bnb4Kernels& bnb4_kernels_portable() { return kPortable; }

const Bnb4Kernels& bnb4_kernels() {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
  if (cpu::use_avx2()) return avx2::bnb4_kernels();
#endif
  return kPortable;
}

}  // namespace mcs::quant
