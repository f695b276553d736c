// Process-wide settings: thread count and SIMD switch, and what the CPU offers.
#include <napi.h>

#include "binding/registry.h"
#include "cpu/cpu_features.h"
#include "cpu/thread_pool.h"

namespace mcs::binding {
namespace {

Napi::Value system_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("simd", Napi::String::New(env, cpu::simd_name()));
  o.Set("avx2", Napi::Boolean::New(env, cpu::features().avx2));
  o.Set("threads", Napi::Number::New(env, cpu::num_threads()));
  return o;
}

Napi::Value set_threads(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "setThreads(n): n must be a number");
  const int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 0 || n > 1024) throw Napi::RangeError::New(info.Env(), "setThreads(n): n must be between 0 (all cores) and 1024");
  cpu::set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value set_simd(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsBoolean()) throw Napi::TypeError::New(info.Env(), "setSimd(enabled): enabled must be a boolean");
  cpu::set_simd_enabled(info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("systemInfo", Napi::Function::New(env, system_info, "systemInfo"));
  exports.Set("setThreads", Napi::Function::New(env, set_threads, "setThreads"));
  exports.Set("setSimd", Napi::Function::New(env, set_simd, "setSimd"));
}

}  // namespace

MCS_REGISTER_BINDING(system, init);

}  // namespace mcs::binding
