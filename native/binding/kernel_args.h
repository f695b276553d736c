// Argument helpers shared by the quantization and pruning bindings: typed
// arrays of a required element type and length, choices among named options,
// and mcs::Error → JS Error with `code` for checks done on the JS thread.
#pragma once
#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/dtype.h"

#include "core/error.h"
#include "quant/error_stats.h"

namespace mcs::binding {

// A typed array argument kept alive (and unmoved: V8 never moves array
// buffer backing stores) until the job is destroyed on the JS thread.
template <typename T>
struct HeldArray {
  const T* data = nullptr;
  size_t length = 0;
  Napi::ObjectReference ref;
};

// Throws a TypeError unless `value` is a typed array of `type`; `length`
// (when not SIZE_MAX) must match exactly.
template <typename T>
HeldArray<T> typed_array_arg(const Napi::Value& value, napi_typedarray_type type, const char* type_name,
                             const std::string& what, size_t length = SIZE_MAX) {
  Napi::Env env = value.Env();
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type)
    throw Napi::TypeError::New(env, what + " must be a " + type_name);
  const Napi::TypedArray ta = value.As<Napi::TypedArray>();
  if (length != SIZE_MAX && ta.ElementLength() != length)
    throw Napi::TypeError::New(env, what + " must have " + std::to_string(length) + " elements, got " +
                                        std::to_string(ta.ElementLength()));
  HeldArray<T> h;
  h.data = reinterpret_cast<const T*>(static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  h.length = ta.ElementLength();
  h.ref = Napi::Persistent(ta.As<Napi::Object>());
  return h;
}

// An output array: the caller's typed array when one is given (its type and
// length must match; reusing buffers spares allocation and page faults), else
// a new V8-allocated one.
struct OutArray {
  uint8_t* data = nullptr;
  size_t length = 0;  // elements
  napi_typedarray_type type = napi_uint8_array;
  Napi::ObjectReference given;
  Napi::Reference<Napi::ArrayBuffer> own;
  // The typed array to hand back (JS thread only).
  Napi::Value value(Napi::Env env) const;
  template <typename T>
  T* as() const { return reinterpret_cast<T*>(data); }
};

// `given` may be undefined. `what` names the option in errors.
OutArray out_array(Napi::Env env, const Napi::Value& given, napi_typedarray_type type, size_t length, const std::string& what);

// options.out[key] (undefined when options or options.out are absent).
Napi::Value out_option(const Napi::Value& options, const char* key);

// The JS error a rejected promise would carry, thrown synchronously.
[[noreturn]] void throw_js(Napi::Env env, const mcs::Error& e);

// Runs a check that throws mcs::Error on the JS thread, rethrowing it as a JS error.
template <typename F>
auto js_checked(Napi::Env env, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const mcs::Error& e) {
    throw_js(env, e);
  }
}

// options[key] among `choices` (or `fallback` when absent); index of the choice.
int choice_prop(const Napi::Object& o, const char* key, std::initializer_list<const char*> choices, int fallback);

Napi::Object error_stats_js(Napi::Env env, const quant::ErrorStats& s);

// { dtype, shape, name?, data } over an output buffer, in the form tensor
// arguments take (so a result can be passed straight to the next kernel):
// data is a Float32Array for F32, a Uint16Array for F16/BF16, else Uint8Array.
Napi::Object tensor_js(Napi::Env env, Napi::ArrayBuffer buffer, DType dtype, const std::vector<int64_t>& shape,
                       const std::string& name);
Napi::Object tensor_js(Napi::Env env, const OutArray& data, DType dtype, const std::vector<int64_t>& shape,
                       const std::string& name);
// The typed array type tensor data of `dtype` comes back as.
napi_typedarray_type typed_array_type_for(DType dtype);

}  // namespace mcs::binding
