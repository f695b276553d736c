// Each *_binding.cc registers its exports with MCS_REGISTER_BINDING, so adding a
// module never touches a central list.
#pragma once
#include <napi.h>

namespace mcs::binding {

using InitFn = void (*)(Napi::Env env, Napi::Object exports);

struct Registration {
  Registration(const char* name, InitFn fn);
};

void init_all(Napi::Env env, Napi::Object exports);

}  // namespace mcs::binding

#define MCS_REGISTER_BINDING(name, fn) static ::mcs::binding::Registration mcs_binding_registration_##name(#name, fn)
