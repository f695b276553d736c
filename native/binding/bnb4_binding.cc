// NF4 / FP4 in bitsandbytes' layout (native/quant/bnb4.h).
//
// quantizeBnb4(tensor, { type?: 'nf4'|'fp4', blocksize?, doubleQuant?, reference?, signal?, onProgress?,
//                        out?: { packed?, absmax?, absmaxCodes?, nestedAbsmax? } })
//   → Promise<{ packed: Uint8Array, codeMap: Float32Array(16), blocksize, metrics,
//               absmax?: Float32Array                                  (without double quant)
//               absmaxCodes?: Uint8Array, nestedAbsmax?: Float32Array,
//               offset?: number, nestedCodeMap?: Float32Array(256), nestedBlocksize? }>  (with it)
// dequantizeBnb4({ packed, absmax } | { packed, absmaxCodes, nestedAbsmax, offset },
//                { numel, type?, blocksize?, reference?, out?: Float32Array }) → Promise<Float32Array>
#include <napi.h>

#include <cstring>

#include "binding/js_args.h"
#include "binding/kernel_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "quant/bnb4.h"

namespace mcs::binding {
namespace {

quant::Bnb4Spec bnb4_spec(const Napi::Object& o) {
  quant::Bnb4Spec s;
  s.type = static_cast<quant::Bnb4Type>(choice_prop(o, "type", {"nf4", "fp4"}, 0));
  if (auto v = opt_number(o, "blocksize")) s.blocksize = static_cast<int64_t>(*v);
  if (auto v = opt_bool(o, "doubleQuant")) s.double_quant = *v;
  return s;
}

Napi::Float32Array float_array(Napi::Env env, const float* p, size_t n) {
  Napi::Float32Array a = Napi::Float32Array::New(env, n);
  if (n) std::memcpy(a.Data(), p, n * 4);
  return a;
}

class QuantizeBnb4Job : public PromiseJob {
 public:
  QuantizeBnb4Job(Napi::Env env, HeldTensor t, quant::Bnb4Spec spec, quant::Bnb4Layout l, bool reference,
                  const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), spec_(spec), l_(l), reference_(reference) {
    packed_ = out_array(env, out_option(options, "packed"), napi_uint8_array, size_t(l.packed_bytes), "out.packed");
    if (spec.double_quant) {
      codes_ = out_array(env, out_option(options, "absmaxCodes"), napi_uint8_array, size_t(l.blocks), "out.absmaxCodes");
      nested_ = out_array(env, out_option(options, "nestedAbsmax"), napi_float32_array, size_t(l.nested_blocks),
                          "out.nestedAbsmax");
    } else {
      absmax_ = out_array(env, out_option(options, "absmax"), napi_float32_array, size_t(l.blocks), "out.absmax");
    }
  }

 protected:
  void Run(const JobContext& ctx) override {
    const quant::Bnb4Outputs out{packed_.data, absmax_.as<float>(), codes_.data, nested_.as<float>(), &offset_};
    err_ = reference_ ? quant::quantize_bnb4_ref(t_.view, spec_, out) : quant::quantize_bnb4(t_.view, spec_, out, ctx);
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("packed", packed_.value(env));
    o.Set("codeMap", float_array(env, quant::bnb4_codebook(spec_.type).value, 16));
    o.Set("blocksize", double(spec_.blocksize));
    if (spec_.double_quant) {
      o.Set("absmaxCodes", codes_.value(env));
      o.Set("nestedAbsmax", nested_.value(env));
      o.Set("offset", double(offset_));
      o.Set("nestedCodeMap", float_array(env, quant::dynamic_map(), 256));
      o.Set("nestedBlocksize", double(quant::kBnbNestedBlock));
    } else {
      o.Set("absmax", absmax_.value(env));
    }
    o.Set("metrics", error_stats_js(env, err_));
    return o;
  }

 private:
  HeldTensor t_;
  quant::Bnb4Spec spec_;
  quant::Bnb4Layout l_;
  bool reference_;
  OutArray packed_, absmax_, codes_, nested_;
  float offset_ = 0;
  quant::ErrorStats err_;
};

Napi::Value quantize_bnb4(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  const Napi::Value options = info.Length() > 1 ? info[1] : env.Undefined();
  const Napi::Object o = options.IsObject() ? options.As<Napi::Object>() : Napi::Object::New(env);
  const quant::Bnb4Spec spec = bnb4_spec(o);
  const quant::Bnb4Layout l = js_checked(env, [&] { return quant::bnb4_layout(t.view, spec); });
  return PromiseJob::start(
      new QuantizeBnb4Job(env, std::move(t), spec, l, opt_bool(o, "reference").value_or(false), options));
}

class DequantizeBnb4Job : public PromiseJob {
 public:
  DequantizeBnb4Job(Napi::Env env, HeldArray<uint8_t> packed, std::vector<float> absmax, int64_t numel,
                    quant::Bnb4Spec spec, bool reference, const Napi::Value& options)
      : PromiseJob(env, options), packed_(std::move(packed)), absmax_(std::move(absmax)), numel_(numel), spec_(spec),
        reference_(reference) {
    const Napi::Value given = options.IsObject() ? options.As<Napi::Object>().Get("out") : env.Undefined();
    out_ = out_array(env, given, napi_float32_array, size_t(numel), "out");
  }

 protected:
  void Run(const JobContext& ctx) override {
    float* out = out_.as<float>();
    if (reference_) quant::dequantize_bnb4_ref(packed_.data, absmax_.data(), numel_, spec_, out);
    else quant::dequantize_bnb4(packed_.data, absmax_.data(), numel_, spec_, out, ctx);
  }
  Napi::Value Result(Napi::Env env) override { return out_.value(env); }

 private:
  HeldArray<uint8_t> packed_;
  std::vector<float> absmax_;
  int64_t numel_;
  quant::Bnb4Spec spec_;
  bool reference_;
  OutArray out_;
};

Napi::Value dequantize_bnb4(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Napi::Object q = object_arg(info, 0, "quantized");
  const Napi::Object o = object_arg(info, 1, "options");
  const quant::Bnb4Spec spec = bnb4_spec(o);
  auto packed = typed_array_arg<uint8_t>(q.Get("packed"), napi_uint8_array, "Uint8Array", "packed");
  const int64_t numel = int64_t(index_prop(o, "numel"));
  if (numel < 0 || size_t((numel + 1) / 2) != packed.length)
    throw Napi::TypeError::New(env, "packed must hold (numel + 1) / 2 = " + std::to_string((numel + 1) / 2) + " bytes");
  js_checked(env, [&] {
    TensorView v;
    v.shape = {numel};
    quant::bnb4_layout(v, spec);  // checks the block size
  });
  const int64_t blocks = (numel + spec.blocksize - 1) / spec.blocksize;
  std::vector<float> absmax(static_cast<size_t>(blocks));
  if (q.Get("absmaxCodes").IsUndefined()) {
    auto a = typed_array_arg<float>(q.Get("absmax"), napi_float32_array, "Float32Array", "absmax", size_t(blocks));
    std::copy(a.data, a.data + blocks, absmax.begin());
  } else {
    const int64_t nested = (blocks + quant::kBnbNestedBlock - 1) / quant::kBnbNestedBlock;
    auto codes = typed_array_arg<uint8_t>(q.Get("absmaxCodes"), napi_uint8_array, "Uint8Array", "absmaxCodes", size_t(blocks));
    auto n = typed_array_arg<float>(q.Get("nestedAbsmax"), napi_float32_array, "Float32Array", "nestedAbsmax", size_t(nested));
    quant::decode_absmax(codes.data, n.data, static_cast<float>(number_prop(q, "offset")), blocks, absmax.data());
  }
  return PromiseJob::start(new DequantizeBnb4Job(env, std::move(packed), std::move(absmax), numel, spec,
                                                 opt_bool(o, "reference").value_or(false), info[1]));
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("quantizeBnb4", Napi::Function::New(env, quantize_bnb4, "quantizeBnb4"));
  exports.Set("dequantizeBnb4", Napi::Function::New(env, dequantize_bnb4, "dequantizeBnb4"));
}

}  // namespace

MCS_REGISTER_BINDING(bnb4, init);

}  // namespace mcs::binding
