// Instruction sets present on the CPU we run on (not the build host), so one
// binary picks the fastest kernels everywhere. MCS_FORCE_SCALAR=1 in the
// environment disables every SIMD path (for tests and bug reports).
#pragma once

namespace mcs::cpu {

struct Features {
  bool avx2 = false;  // with FMA and F16C: the x86 fast path
  bool neon = false;
};

const Features& features();
// Tests turn SIMD off to exercise the portable fast paths on x86 as well.
void set_simd_enabled(bool enabled);
bool simd_enabled();
inline bool use_avx2() { return simd_enabled() && features().avx2; }
const char* simd_name();  // "avx2", "neon" or "scalar"

}  // namespace mcs::cpu
