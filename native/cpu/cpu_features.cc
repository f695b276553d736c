#include "cpu/cpu_features.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace mcs::cpu {

static Features detect() {
  Features f;
  const char* force = std::getenv("MCS_FORCE_SCALAR");
  if (force && std::strcmp(force, "1") == 0) return f;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  f.avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#endif
#if defined(__aarch64__)
  f.neon = true;
#endif
  return f;
}

const Features& features() {
  static const Features f = detect();
  return f;
}

static std::atomic<bool> g_simd_enabled{true};
void set_simd_enabled(bool enabled) { g_simd_enabled.store(enabled); }
bool simd_enabled() { return g_simd_enabled.load(std::memory_order_relaxed); }

const char* simd_name() {
  if (!simd_enabled()) return "scalar";
  if (features().avx2) return "avx2";
  if (features().neon) return "neon";
  return "scalar";
}

}  // namespace mcs::cpu
