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

Napi::Object tensor_js(Napi::Env env, Napi::ArrayBuffer buffer, DType dtype, const std::vector<int64_t>& shape,
                       const std::string& name) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("dtype", dtype_info(dtype).name);
  Napi::Array dims = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i) dims.Set(uint32_t(i), double(shape[i]));
  o.Set("shape", dims);
  if (!name.empty()) o.Set("name", name);
  const size_t bytes = buffer.ByteLength();
  if (dtype == DType::F32) o.Set("data", Napi::Float32Array::New(env, bytes / 4, buffer, 0));
  else if (dtype == DType::F16 || dtype == DType::BF16) o.Set("data", Napi::Uint16Array::New(env, bytes / 2, buffer, 0));
  else o.Set("data", Napi::Uint8Array::New(env, bytes, buffer, 0));
  return o;
}

}  // namespace mcs::binding
