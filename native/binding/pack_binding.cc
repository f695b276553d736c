// compressed-tensors int32 packing (native/quant/pack.h).
//
// packInt32(codes: Int8Array, { rows, cols, bits, dim?: 0|1, layout?: 'dense'|'legacy', reference? })
//   → Promise<{ packed: Int32Array, shape: [rows', cols'] }>
// unpackInt32(packed: Int32Array, { rows, cols, bits, dim?, layout?, reference? }) → Promise<Int8Array>
#include <napi.h>

#include "binding/js_args.h"
#include "binding/kernel_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "quant/pack.h"

namespace mcs::binding {
namespace {

quant::PackShape pack_shape(Napi::Env env, const Napi::Object& o, size_t codes_available) {
  quant::PackShape s;
  s.rows = int64_t(index_prop(o, "rows"));
  s.cols = int64_t(index_prop(o, "cols"));
  s.bits = static_cast<int>(number_prop(o, "bits"));
  s.dim = static_cast<int>(opt_number(o, "dim").value_or(1));
  s.layout = static_cast<quant::PackLayout>(choice_prop(o, "layout", {"dense", "legacy"}, 0));
  js_checked(env, [&] { quant::validate_pack(s); });
  if (s.cols != 0 && s.rows > int64_t(codes_available) / s.cols)
    throw Napi::TypeError::New(env, "rows × cols exceeds the codes given");
  return s;
}

class PackJob : public PromiseJob {
 public:
  PackJob(Napi::Env env, HeldArray<int8_t> codes, quant::PackShape s, bool reference, const Napi::Value& options)
      : PromiseJob(env, options), codes_(std::move(codes)), s_(s), reference_(reference) {
    out_ = out_buffer(env, size_t(quant::packed_rows(s) * quant::packed_cols(s)) * 4);
  }

 protected:
  void Run(const JobContext& ctx) override {
    int32_t* out = reinterpret_cast<int32_t*>(out_.data);
    if (reference_) quant::pack_int32_ref(codes_.data, s_, out);
    else quant::pack_int32(codes_.data, s_, out, ctx);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("packed", Napi::Int32Array::New(env, out_.size / 4, out_.ref.Value(), 0));
    Napi::Array shape = Napi::Array::New(env, 2);
    shape.Set(0u, double(quant::packed_rows(s_)));
    shape.Set(1u, double(quant::packed_cols(s_)));
    o.Set("shape", shape);
    return o;
  }

 private:
  HeldArray<int8_t> codes_;
  quant::PackShape s_;
  bool reference_;
  OutBuffer out_;
};

class UnpackJob : public PromiseJob {
 public:
  UnpackJob(Napi::Env env, HeldArray<int32_t> packed, quant::PackShape s, bool reference, const Napi::Value& options)
      : PromiseJob(env, options), packed_(std::move(packed)), s_(s), reference_(reference) {
    out_ = out_buffer(env, size_t(s.rows * s.cols));
  }

 protected:
  void Run(const JobContext& ctx) override {
    int8_t* out = reinterpret_cast<int8_t*>(out_.data);
    if (reference_) quant::unpack_int32_ref(packed_.data, s_, out);
    else quant::unpack_int32(packed_.data, s_, out, ctx);
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Int8Array::New(env, out_.size, out_.ref.Value(), 0); }

 private:
  HeldArray<int32_t> packed_;
  quant::PackShape s_;
  bool reference_;
  OutBuffer out_;
};

Napi::Value pack_int32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto codes = typed_array_arg<int8_t>(info[0], napi_int8_array, "Int8Array", "codes");
  const Napi::Object o = object_arg(info, 1, "options");
  const quant::PackShape s = pack_shape(env, o, codes.length);
  if (size_t(s.rows * s.cols) != codes.length)
    throw Napi::TypeError::New(env, "codes must have rows × cols = " + std::to_string(s.rows * s.cols) + " elements");
  return PromiseJob::start(new PackJob(env, std::move(codes), s, opt_bool(o, "reference").value_or(false), info[1]));
}

Napi::Value unpack_int32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto packed = typed_array_arg<int32_t>(info[0], napi_int32_array, "Int32Array", "packed");
  const Napi::Object o = object_arg(info, 1, "options");
  // Every packed word holds at least one code, so rows·cols ≤ 32·words bounds the output.
  const quant::PackShape s = pack_shape(env, o, packed.length * 32);
  const size_t want = size_t(quant::packed_rows(s) * quant::packed_cols(s));
  if (packed.length != want)
    throw Napi::TypeError::New(env, "packed must have " + std::to_string(want) + " words for that shape, got " +
                                        std::to_string(packed.length));
  return PromiseJob::start(new UnpackJob(env, std::move(packed), s, opt_bool(o, "reference").value_or(false), info[1]));
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("packInt32", Napi::Function::New(env, pack_int32, "packInt32"));
  exports.Set("unpackInt32", Napi::Function::New(env, unpack_int32, "unpackInt32"));
}

}  // namespace

MCS_REGISTER_BINDING(pack, init);

}  // namespace mcs::binding
