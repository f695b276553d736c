#include <napi.h>

#include <vector>

#include "binding/registry.h"

namespace mcs::binding {
namespace {

struct Entry {
  const char* name;
  InitFn fn;
};

std::vector<Entry>& entries() {
  static std::vector<Entry> list;  // function-local: safe across static init order
  return list;
}

}  // namespace

Registration::Registration(const char* name, InitFn fn) { entries().push_back({name, fn}); }

void init_all(Napi::Env env, Napi::Object exports) {
  for (const auto& e : entries()) e.fn(env, exports);
}

}  // namespace mcs::binding

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mcs::binding::init_all(env, exports);
  return exports;
}

NODE_API_MODULE(mcs_native, Init)
