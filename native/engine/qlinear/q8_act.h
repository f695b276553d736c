// Activations quantized to 8-bit blocks of 32 the way llama.cpp's CPU backend
// does before a Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 dot product (ggml-cpu's x86
// quantize_row_q8_0 / quantize_row_q8_1): per block, amax = max |x|,
// d = amax / 127, q = round-half-even(x · (127 / amax)) (0 when amax is 0), d
// stored as F16; Q8_1 also keeps s = F16(d · Σq) for the Q4_1/Q5_1 min term.
// The F16-rounded d and s are kept here as floats, one per block.
#pragma once
#include <cstdint>
#include <vector>

namespace mcs::engine::qlinear {

struct Q8Act {
  int64_t T = 0, K = 0, blocks = 0;  // blocks per token = K / 32
  bool with_sums = false;            // Q8_1
  std::vector<int8_t> q;             // [T, K]
  std::vector<float> d, s;           // [T, blocks]; s only with sums

  void resize(int64_t T_, int64_t K_, bool sums);
  const int8_t* qrow(int64_t t) const { return q.data() + t * K; }
  const float* drow(int64_t t) const { return d.data() + t * blocks; }
  const float* srow(int64_t t) const { return s.data() + t * blocks; }
};

// Rows [t0, t1) of x[T, K] into a (sized by resize). `_ref` is the scalar
// reference; the other uses AVX2 when present and gives the same bytes.
void quantize_q8_ref(const float* x, Q8Act& a, int64_t t0, int64_t t1);
void quantize_q8(const float* x, Q8Act& a, int64_t t0, int64_t t1);

namespace avx2 {
void quantize_q8(const float* x, Q8Act& a, int64_t t0, int64_t t1);
}

}  // namespace mcs::engine::qlinear
