#include "binding/js_args.h"

#include <cmath>
#include <cstdint>
#include <string>
#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "binding/env_data.h"
#include "binding/mapped_file_binding.h"
#include "core/error.h"

namespace mcs::binding {

static Napi::TypeError type_error(Napi::Env env, const std::string& msg) { return Napi::TypeError::New(env, msg); }

Napi::Object object_arg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || !info[index].IsObject())
    throw type_error(info.Env(), std::string(what) + " must be an object");
  return info[index].As<Napi::Object>();
}

std::string string_prop(const Napi::Object& o, const char* key) {
  const Napi::Value v = o.Get(key);
  if (!v.IsString()) throw type_error(o.Env(), std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

double number_prop(const Napi::Object& o, const char* key) {
  const Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw type_error(o.Env(), std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

uint64_t index_prop(const Napi::Object& o, const char* key) {
  const double d = number_prop(o, key);
  if (!(d >= 0) || d > 9007199254740992.0 || std::floor(d) != d)
    throw type_error(o.Env(), std::string(key) + " must be a non-negative integer");
  return static_cast<uint64_t>(d);
}

std::vector<int64_t> shape_prop(const Napi::Object& o, const char* key) {
  const Napi::Value v = o.Get(key);
  if (!v.IsArray()) throw type_error(o.Env(), std::string(key) + " must be an array of dimensions");
  const Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > 8) throw type_error(o.Env(), std::string(key) + " has more than 8 dimensions");
  std::vector<int64_t> shape;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    const Napi::Value d = a.Get(i);
    const double x = d.IsNumber() ? d.As<Napi::Number>().DoubleValue() : -1;
    if (!(x >= 0) || x > 9007199254740992.0 || std::floor(x) != x)
      throw type_error(o.Env(), std::string(key) + "[" + std::to_string(i) + "] must be a non-negative integer");
    shape.push_back(static_cast<int64_t>(x));
  }
  return shape;
}

std::optional<double> opt_number(const Napi::Object& o, const char* key) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return std::nullopt;
  if (!v.IsNumber()) throw type_error(o.Env(), std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

std::optional<bool> opt_bool(const Napi::Object& o, const char* key) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return std::nullopt;
  if (!v.IsBoolean()) throw type_error(o.Env(), std::string(key) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::optional<std::string> opt_string(const Napi::Object& o, const char* key) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return std::nullopt;
  if (!v.IsString()) throw type_error(o.Env(), std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

HeldTensor tensor_arg(const Napi::Value& value, const char* what) {
  Napi::Env env = value.Env();
  if (!value.IsObject()) throw type_error(env, std::string(what) + " must be a tensor object");
  const Napi::Object o = value.As<Napi::Object>();
  HeldTensor h;
  try {
    h.view.dtype = parse_dtype(string_prop(o, "dtype"));
  } catch (const mcs::Error& e) {
    throw type_error(env, std::string(what) + ": " + e.what());
  }
  h.view.shape = shape_prop(o, "shape");
  if (auto name = opt_string(o, "name")) h.view.name = *name;
  const Napi::Value data = o.Get("data");
  if (data.IsTypedArray()) {
    const Napi::TypedArray ta = data.As<Napi::TypedArray>();
    h.view.data = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    h.view.nbytes = ta.ByteLength();
    h.buffer = Napi::Persistent(ta.As<Napi::Object>());
  } else if (data.IsArrayBuffer()) {
    Napi::ArrayBuffer ab = data.As<Napi::ArrayBuffer>();
    h.view.data = static_cast<const uint8_t*>(ab.Data());
    h.view.nbytes = ab.ByteLength();
    h.buffer = Napi::Persistent(ab.As<Napi::Object>());
  } else if (data.IsUndefined()) {
    h.file = MappedFileWrap::file_of(o.Get("file"));
    const uint64_t offset = index_prop(o, "offset");
    h.view.nbytes = index_prop(o, "byteLength");
    const std::string label = h.view.name.empty() ? std::string(what) : "tensor '" + h.view.name + "'";
    try {
      h.view.data = h.file->span(offset, h.view.nbytes, label);
    } catch (const mcs::Error& e) {
      Napi::Error err = Napi::Error::New(env, e.what());
      err.Set("code", Napi::String::New(env, "EBADFILE"));
      throw err;
    }
  } else {
    throw type_error(env, std::string(what) + ".data must be a TypedArray, ArrayBuffer or absent (with file)");
  }
  try {
    h.view.validate();
  } catch (const mcs::Error& e) {
    throw type_error(env, std::string(what) + ": " + e.what());
  }
  return h;
}

// V8 aborts the whole process when an ArrayBuffer cannot be allocated, so a
// result larger than half the physical memory is refused with an error first.
uint64_t max_result_bytes() {
#ifdef _WIN32
  MEMORYSTATUSEX m;
  m.dwLength = sizeof m;
  const uint64_t phys = GlobalMemoryStatusEx(&m) ? m.ullTotalPhys : (uint64_t(1) << 34);
#else
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  const uint64_t phys = pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : (uint64_t(1) << 34);
#endif
  return phys / 2;
}

OutBuffer out_buffer(Napi::Env env, size_t bytes) {
  if (bytes > max_result_bytes()) {
    Napi::Error err = Napi::Error::New(env, "a result of " + std::to_string(bytes) +
                                                " bytes is more than half of this machine's memory");
    err.Set("code", Napi::String::New(env, "ENOMEM"));
    throw err;
  }
  OutBuffer out;
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, bytes);
  out.data = static_cast<uint8_t*>(ab.Data());
  out.size = bytes;
  out.ref = Napi::Persistent(ab);
  return out;
}

}  // namespace mcs::binding
