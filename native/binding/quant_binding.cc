// Uniform integer quantization (native/quant/int_quant.h).
//
// quantizeInt(tensor, { bits?, symmetric?, granularity?: 'tensor'|'channel'|'group', groupSize?,
//                       scaleDtype?: 'F32'|'F16'|'BF16', range?: 'minmax'|'percentile'|'mse',
//                       percentile?, mseGrid?, mseMinRatio?, reference?, signal?, onProgress?,
//                       out?: { codes?, scales?, zeroPoints? } })   (arrays to fill instead of new ones)
//   → Promise<{ codes: Int8Array, scales: Float32Array, zeroPoints: Int32Array,
//               paramShape: number[], metrics }>
// dequantizeInt({ codes, scales, zeroPoints }, { shape, granularity?, groupSize?, reference?, out?: Float32Array, ... })
//   → Promise<Float32Array>
// quantError(original, reconstructed, { signal?, onProgress? }) → Promise<metrics>
#include <napi.h>

#include <cstring>

#include "binding/js_args.h"
#include "binding/kernel_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "quant/compare.h"
#include "quant/int_quant.h"

namespace mcs::binding {
namespace {

using quant::Granularity;

quant::IntSpec int_spec(const Napi::Object& o) {
  quant::IntSpec s;
  if (auto v = opt_number(o, "bits")) s.bits = static_cast<int>(*v);
  if (auto v = opt_bool(o, "symmetric")) s.symmetric = *v;
  s.granularity = static_cast<Granularity>(choice_prop(o, "granularity", {"tensor", "channel", "group"}, 1));
  if (auto v = opt_number(o, "groupSize")) s.group_size = static_cast<int64_t>(*v);
  s.scale_type = static_cast<quant::ScaleType>(choice_prop(o, "scaleDtype", {"F32", "F16", "BF16"}, 0));
  return s;
}

quant::RangeSpec range_spec(const Napi::Object& o) {
  quant::RangeSpec r;
  r.method = static_cast<quant::RangeMethod>(choice_prop(o, "range", {"minmax", "percentile", "mse"}, 0));
  if (auto v = opt_number(o, "percentile")) r.percentile = *v;
  if (auto v = opt_number(o, "mseGrid")) r.grid = static_cast<int>(*v);
  if (auto v = opt_number(o, "mseMinRatio")) r.min_ratio = *v;
  return r;
}

Napi::Array param_shape(Napi::Env env, const quant::IntLayout& l) {
  Napi::Array a = Napi::Array::New(env);
  if (l.granularity == Granularity::Tensor) {
    a.Set(0u, 1.0);
  } else {
    a.Set(0u, double(l.rows));
    a.Set(1u, double(l.groups_per_row));
  }
  return a;
}

class QuantizeIntJob : public PromiseJob {
 public:
  QuantizeIntJob(Napi::Env env, HeldTensor t, quant::IntSpec spec, quant::RangeSpec range, quant::IntLayout layout,
                 bool reference, const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), spec_(spec), range_(range), layout_(layout), reference_(reference) {
    codes_ = out_array(env, out_option(options, "codes"), napi_int8_array, size_t(layout.numel), "out.codes");
    scales_ = out_array(env, out_option(options, "scales"), napi_float32_array, size_t(layout.num_params), "out.scales");
    zeros_ = out_array(env, out_option(options, "zeroPoints"), napi_int32_array, size_t(layout.num_params), "out.zeroPoints");
  }

 protected:
  void Run(const JobContext& ctx) override {
    const quant::IntOutputs out{codes_.as<int8_t>(), scales_.as<float>(), zeros_.as<int32_t>()};
    err_ = reference_ ? quant::quantize_int_ref(t_.view, spec_, range_, out)
                      : quant::quantize_int(t_.view, spec_, range_, out, ctx);
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("codes", codes_.value(env));
    o.Set("scales", scales_.value(env));
    o.Set("zeroPoints", zeros_.value(env));
    o.Set("paramShape", param_shape(env, layout_));
    o.Set("metrics", error_stats_js(env, err_));
    return o;
  }

 private:
  HeldTensor t_;
  quant::IntSpec spec_;
  quant::RangeSpec range_;
  quant::IntLayout layout_;
  bool reference_;
  OutArray codes_, scales_, zeros_;
  quant::ErrorStats err_;
};

Napi::Value quantize_int(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  const Napi::Value options = info.Length() > 1 ? info[1] : env.Undefined();
  const Napi::Object o = options.IsObject() ? options.As<Napi::Object>() : Napi::Object::New(env);
  const quant::IntSpec spec = int_spec(o);
  const quant::RangeSpec range = range_spec(o);
  const quant::IntLayout layout = js_checked(env, [&] {
    quant::validate_range(range);
    return quant::int_layout(t.view, spec);
  });
  const bool reference = opt_bool(o, "reference").value_or(false);
  return PromiseJob::start(new QuantizeIntJob(env, std::move(t), spec, range, layout, reference, options));
}

class DequantizeIntJob : public PromiseJob {
 public:
  DequantizeIntJob(Napi::Env env, HeldArray<int8_t> codes, HeldArray<float> scales, HeldArray<int32_t> zeros,
                   quant::IntLayout layout, bool reference, const Napi::Value& options)
      : PromiseJob(env, options), codes_(std::move(codes)), scales_(std::move(scales)), zeros_(std::move(zeros)),
        layout_(layout), reference_(reference) {
    const Napi::Value given = options.IsObject() ? options.As<Napi::Object>().Get("out") : env.Undefined();
    out_ = out_array(env, given, napi_float32_array, size_t(layout.numel), "out");
  }

 protected:
  void Run(const JobContext& ctx) override {
    const quant::IntCodes in{codes_.data, scales_.data, zeros_.data};
    float* out = out_.as<float>();
    if (reference_) quant::dequantize_int_ref(in, layout_, out);
    else quant::dequantize_int(in, layout_, out, ctx);
  }
  Napi::Value Result(Napi::Env env) override { return out_.value(env); }

 private:
  HeldArray<int8_t> codes_;
  HeldArray<float> scales_;
  HeldArray<int32_t> zeros_;
  quant::IntLayout layout_;
  bool reference_;
  OutArray out_;
};

Napi::Value dequantize_int(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Napi::Object q = object_arg(info, 0, "quantized");
  const Napi::Object o = object_arg(info, 1, "options");
  auto codes = typed_array_arg<int8_t>(q.Get("codes"), napi_int8_array, "Int8Array", "codes");
  // The shape must account for exactly the codes given; that bounds every size below.
  TensorView view;
  view.shape = shape_prop(o, "shape");
  view.dtype = DType::F32;
  view.name = opt_string(o, "name").value_or("");
  int64_t numel = 1;
  for (int64_t d : view.shape) numel = d == 0 ? 0 : (numel > int64_t(codes.length) / d ? -1 : numel * d);
  if (numel != int64_t(codes.length))
    throw Napi::TypeError::New(env, "shape does not match the " + std::to_string(codes.length) + " codes given");
  const quant::IntLayout layout = js_checked(env, [&] { return quant::int_layout(view, int_spec(o)); });
  auto scales = typed_array_arg<float>(q.Get("scales"), napi_float32_array, "Float32Array", "scales", size_t(layout.num_params));
  auto zeros = typed_array_arg<int32_t>(q.Get("zeroPoints"), napi_int32_array, "Int32Array", "zeroPoints",
                                        size_t(layout.num_params));
  const bool reference = opt_bool(o, "reference").value_or(false);
  return PromiseJob::start(new DequantizeIntJob(env, std::move(codes), std::move(scales), std::move(zeros), layout,
                                                reference, info[1]));
}

class QuantErrorJob : public PromiseJob {
 public:
  QuantErrorJob(Napi::Env env, HeldTensor a, HeldTensor b, const Napi::Value& options)
      : PromiseJob(env, options), a_(std::move(a)), b_(std::move(b)) {}

 protected:
  void Run(const JobContext& ctx) override { err_ = quant::compare_tensors(a_.view, b_.view, ctx); }
  Napi::Value Result(Napi::Env env) override { return error_stats_js(env, err_); }

 private:
  HeldTensor a_, b_;
  quant::ErrorStats err_;
};

Napi::Value quant_error(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor a = tensor_arg(info[0], "original");
  HeldTensor b = tensor_arg(info[1], "reconstructed");
  js_checked(env, [&] { quant::check_comparable(a.view, b.view); });
  return PromiseJob::start(new QuantErrorJob(env, std::move(a), std::move(b), info.Length() > 2 ? info[2] : env.Undefined()));
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("quantizeInt", Napi::Function::New(env, quantize_int, "quantizeInt"));
  exports.Set("dequantizeInt", Napi::Function::New(env, dequantize_int, "dequantizeInt"));
  exports.Set("quantError", Napi::Function::New(env, quant_error, "quantError"));
}

}  // namespace

MCS_REGISTER_BINDING(quant, init);

}  // namespace mcs::binding
