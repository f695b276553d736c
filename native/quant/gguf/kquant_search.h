// The scale searches (and the few element-wise steps around them) behind ggml's k-quant, IQ4 and importance-weighted
// quantizers (ggml-quants.c: make_qx_quants, make_q3_quants, make_qkx2/3_quants,
// make_qp_quants, quantize_row_iq4_nl_impl). Each tries a handful of candidate
// scales for a small group of values and keeps the one with the least
// (weighted) error. Our versions repeat ggml's float operations in ggml's order
// — C's evaluation order, its MIN/MAX macros, its integer types and their
// wrap-around — so every byte agrees. The AVX2 set (kquant_search_avx2.cc)
// evaluates several candidates at once, one per lane: each lane still adds its
// group's terms in element order, so it rounds exactly as the scalar code.
#pragma once
#include <cstdint>
#include <cstring>

namespace mcs::gguf::kq {

// ggml's nearest_int: x + 1.5·2^23 rounds to an integer (half to even) in the
// low mantissa bits. Exact for |x| ≤ 2^22; beyond (or NaN) it is whatever
// those bits say, as in ggml, whose assert is compiled out.
inline int nearest_int(float x) {
  const float v = x + 12582912.0f;
  int32_t i;
  std::memcpy(&i, &v, 4);
  return (i & 0x007fffff) - 0x00400000;
}

// C's MAX/MIN macros: the second operand unless the comparison holds (this
// decides which value a NaN comparison yields).
template <typename T>
inline T c_max(T a, T b) { return a > b ? a : b; }
template <typename T>
inline T c_min(T a, T b) { return a < b ? a : b; }

constexpr float kGroupMaxEps = 1e-15f;  // ggml's GROUP_MAX_EPS

// A set of search implementations (scalar reference or AVX2); the block
// quantizers take one, so both paths share every other line. Each searches
// `groups` independent groups of n values stored one after another (group g
// at x + g·n, its weights and codes likewise) and writes one scale per group.
// The AVX2 set runs up to 8 groups at once, one per lane, each lane following
// its group's scalar steps in order — the same roundings, the same choices.
struct Searches {
  // make_qx_quants(n, nmax, x, L, rmse_type = 1, qw): symmetric codes L in
  // 0..2·nmax−1 (stored + nmax), weights qw or x² when null.
  void (*symmetric)(int groups, int n, int nmax, const float* x, const float* qw, int8_t* L, float* scales);
  // make_qkx2_quants / make_qkx3_quants (the same for finite input): codes
  // 0..nmax with an offset; the_mins gets −min per group.
  void (*with_min)(int groups, int n, int nmax, const float* x, const float* w, uint8_t* L, float* scales,
                   float* the_mins, float rmin, float rdelta, int nstep, bool use_mad);
  // make_q3_quants(n, nmax, x, L, do_rmse = true): coordinate descent, codes + nmax.
  void (*q3)(int groups, int n, int nmax, const float* x, int8_t* L, float* scales);
  // IQ4 on groups of 32: the best scale after the ±ntry sweep and the codes
  // of the first pass (ggml's per-sub-block part of quantize_row_iq4_nl_impl);
  // scale 0 and codes untouched for a group whose max |x| is below kGroupMaxEps.
  void (*iq4)(int groups, const float* x, const float* w, uint8_t* L, int ntry, float* scales);
  // The IQ4 code nearest to x · idl for each of n values (best_index_int8).
  void (*iq4_codes)(int n, const float* x, float idl, uint8_t* L);
  // The requantization with the rounded scales that follows every search:
  // L[i] = clamp(nearest_int((x[i] + add) / d), lo, hi) + offset.
  void (*round_div)(int n, const float* x, float add, float d, int lo, int hi, int offset, uint8_t* L);
  // quantize_row_q8_K_ref for one super-block of 256 (the activations' type).
  void (*q8_K)(const float* x, uint8_t* out);
};

// make_qp_quants: n non-negative values (sub-block scales) on 0..nmax with
// weights qw. Small and sequential; one scalar version serves both paths.
float positive_search(int n, int nmax, const float* x, uint8_t* L, const float* qw);

// ggml's best_index_int8 over the 16 IQ4 levels.
int iq4_index(float x);

const Searches& searches_ref();
const Searches& searches_avx2();
// AVX2 when the CPU has it, else the reference.
const Searches& searches();

}  // namespace mcs::gguf::kq
