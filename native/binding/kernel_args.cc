#include "binding/kernel_args.h"

#include "binding/js_args.h"

namespace mcs::binding {

void throw_js(Napi::Env env, const mcs::Error& e) {
  Napi::Error err = Napi::Error::New(env, e.what());
  err.Set("code", Napi::String::New(env, error_code_name(e.code())));
  throw err;
}

int choice_prop(const Napi::Object& o, const char* key, std::initializer_list<const char*> choices, int fallback) {
  const auto v = opt_string(o, key);
  if (!v) return fallback;
  int i = 0;
  std::string list;
  for (const char* c : choices) {
    if (*v == c) return i;
    list += (list.empty() ? "'" : ", '") + std::string(c) + "'";
    ++i;
  }
  throw Napi::TypeError::New(o.Env(), std::string(key) + " must be one of " + list + ", got '" + *v + "'");
}

Napi::Object error_stats_js(Napi::Env env, const quant::ErrorStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("count", double(s.count));
  o.Set("mse", s.mse());
  o.Set("snrDb", s.snr_db());
  o.Set("maxAbsError", double(s.max_abs));
  o.Set("clipped", double(s.clipped));
  o.Set("clippedShare", s.clipped_share());
  o.Set("sumSquares", s.sum_sq);
  o.Set("sumSquaredError", s.sse);
  return o;
}

static size_t element_size(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

static const char* type_name(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_float32_array: return "Float32Array";
    default: return "typed array";
  }
}

OutArray out_array(Napi::Env env, const Napi::Value& given, napi_typedarray_type type, size_t length, const std::string& what) {
  OutArray o;
  o.type = type;
  o.length = length;
  if (given.IsUndefined() || given.IsNull()) {
    OutBuffer b = out_buffer(env, length * element_size(type));
    o.data = b.data;
    o.own = std::move(b.ref);
    return o;
  }
  if (!given.IsTypedArray() || given.As<Napi::TypedArray>().TypedArrayType() != type)
    throw Napi::TypeError::New(env, what + " must be a " + type_name(type));
  const Napi::TypedArray ta = given.As<Napi::TypedArray>();
  if (ta.ElementLength() != length)
    throw Napi::TypeError::New(env, what + " must have " + std::to_string(length) + " elements, got " +
                                        std::to_string(ta.ElementLength()));
  o.data = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  o.given = Napi::Persistent(ta.As<Napi::Object>());
  return o;
}

Napi::Value OutArray::value(Napi::Env env) const {
  if (!given.IsEmpty()) return given.Value();
  const Napi::ArrayBuffer ab = own.Value();
  switch (type) {
    case napi_int8_array: return Napi::Int8Array::New(env, length, ab, 0);
    case napi_uint16_array: return Napi::Uint16Array::New(env, length, ab, 0);
    case napi_int32_array: return Napi::Int32Array::New(env, length, ab, 0);
    case napi_float32_array: return Napi::Float32Array::New(env, length, ab, 0);
    default: return Napi::Uint8Array::New(env, length, ab, 0);
  }
}

Napi::Value out_option(const Napi::Value& options, const char* key) {
  if (!options.IsObject()) return options.Env().Undefined();
  const Napi::Value out = options.As<Napi::Object>().Get("out");
  if (!out.IsObject() || out.IsTypedArray()) return options.Env().Undefined();
  return out.As<Napi::Object>().Get(key);
}

napi_typedarray_type typed_array_type_for(DType dtype) {
  if (dtype == DType::F32) return napi_float32_array;
  if (dtype == DType::F16 || dtype == DType::BF16) return napi_uint16_array;
  return napi_uint8_array;
}

static Napi::Object tensor_object(Napi::Env env, Napi::Value data, DType dtype, const std::vector<int64_t>& shape,
                                  const std::string& name) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("dtype", dtype_info(dtype).name);
  Napi::Array dims = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i) dims.Set(uint32_t(i), double(shape[i]));
  o.Set("shape", dims);
  if (!name.empty()) o.Set("name", name);
  o.Set("data", data);
  return o;
}

Napi::Object tensor_js(Napi::Env env, const OutArray& data, DType dtype, const std::vector<int64_t>& shape,
                       const std::string& name) {
  return tensor_object(env, data.value(env), dtype, shape, name);
}

Napi::Object tensor_js(Napi::Env env, Napi::ArrayBuffer buffer, DType dtype, const std::vector<int64_t>& shape,
                       const std::string& name) {
  const size_t bytes = buffer.ByteLength();
  Napi::Value data;
  if (dtype == DType::F32) data = Napi::Float32Array::New(env, bytes / 4, buffer, 0);
  else if (dtype == DType::F16 || dtype == DType::BF16) data = Napi::Uint16Array::New(env, bytes / 2, buffer, 0);
  else data = Napi::Uint8Array::New(env, bytes, buffer, 0);
  return tensor_object(env, data, dtype, shape, name);
}

}  // namespace mcs::binding
